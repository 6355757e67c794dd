// The application version written into exported files (kept equal to package.json's "version";
// app/display/test/units.test.ts checks it).
export const APP_VERSION = '0.1.0';
