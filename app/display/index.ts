// Display rules shared by the viewer and the exports (pure; the renderer imports these modules).
export * from './window';
export * from './quantise';
export * from './units';
