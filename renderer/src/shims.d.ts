// Ambient types for the untyped UMD packages the renderer uses (only what it calls).

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

declare module 'cornerstone-core' {
  export interface VOI {
    windowWidth: number;
    windowCenter: number;
  }
  export interface Viewport {
    scale: number;
    translation: { x: number; y: number };
    voi: VOI;
    invert: boolean;
    pixelReplication: boolean;
    rotation: number;
    hflip: boolean;
    vflip: boolean;
    modalityLUT?: unknown;
    voiLUT?: unknown;
    colormap?: unknown;
    labelmap?: boolean;
    displayedArea?: unknown;
  }
  export interface Image {
    imageId: string;
    minPixelValue: number;
    maxPixelValue: number;
    slope: number;
    intercept: number;
    windowCenter: number;
    windowWidth: number;
    getPixelData: () => Uint16Array | Int16Array | Uint8Array;
    rows: number;
    columns: number;
    height: number;
    width: number;
    color: boolean;
    columnPixelSpacing: number;
    rowPixelSpacing: number;
    invert: boolean;
    sizeInBytes: number;
    floatPixelData?: Float32Array;
  }
  export interface EnabledElement {
    element: HTMLElement;
    image?: Image;
    viewport?: Viewport;
    canvas?: HTMLCanvasElement;
  }
  export interface ImageLoadObject {
    promise: Promise<Image>;
    cancelFn?: () => void;
  }
  export type ImageLoader = (imageId: string) => ImageLoadObject;

  export const EVENTS: {
    IMAGE_RENDERED: string;
    NEW_IMAGE: string;
    ELEMENT_ENABLED: string;
  };
  export function enable(element: HTMLElement, options?: Record<string, unknown>): void;
  export function disable(element: HTMLElement): void;
  export function getEnabledElement(element: HTMLElement): EnabledElement;
  export function registerImageLoader(scheme: string, loader: ImageLoader): void;
  export function loadImage(imageId: string): Promise<Image>;
  export function displayImage(element: HTMLElement, image: Image, viewport?: Partial<Viewport>): void;
  export function getViewport(element: HTMLElement): Viewport | undefined;
  export function setViewport(element: HTMLElement, viewport: Partial<Viewport>): void;
  export function getDefaultViewportForImage(element: HTMLElement, image: Image): Viewport;
  export function resize(element: HTMLElement, forceFitToWindow?: boolean): void;
  export function fitToWindow(element: HTMLElement): void;
  export function reset(element: HTMLElement): void;
  export function updateImage(element: HTMLElement, invalidated?: boolean): void;
  export function draw(element: HTMLElement): void;
  export function pageToPixel(element: HTMLElement, pageX: number, pageY: number): { x: number; y: number };
  export function pixelToCanvas(element: HTMLElement, pt: { x: number; y: number }): { x: number; y: number };
  export const colors: {
    getColormap(id: string, data?: { name: string; colors: number[][] }): { getId(): string };
  };
  const cornerstone: {
    EVENTS: typeof EVENTS;
    enable: typeof enable;
    disable: typeof disable;
    getEnabledElement: typeof getEnabledElement;
    registerImageLoader: typeof registerImageLoader;
    loadImage: typeof loadImage;
    displayImage: typeof displayImage;
    getViewport: typeof getViewport;
    setViewport: typeof setViewport;
    getDefaultViewportForImage: typeof getDefaultViewportForImage;
    resize: typeof resize;
    fitToWindow: typeof fitToWindow;
    reset: typeof reset;
    updateImage: typeof updateImage;
    draw: typeof draw;
    pageToPixel: typeof pageToPixel;
    pixelToCanvas: typeof pixelToCanvas;
    colors: typeof colors;
  };
  export default cornerstone;
}
