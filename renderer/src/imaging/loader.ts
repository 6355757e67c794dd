// The `flat:` image loader: cornerstone asks for `flat:<key>` and gets the Uint16 image made from a
// float image the session registered under that key. Converted images are kept (bounded) so that
// scrubbing back and forth over steps does not re-quantise.

import cornerstone, { type Image, type ImageLoadObject } from 'cornerstone-core';
import { toCornerstoneImage, type FloatImageInput } from './floatImage';

const MAX_IMAGES = 160;
const sources = new Map<string, FloatImageInput>();
const images = new Map<string, Image>();
let registered = false;

export function registerFlatLoader(): void {
  if (registered) return;
  registered = true;
  cornerstone.registerImageLoader('flat', (imageId: string): ImageLoadObject => {
    const cached = images.get(imageId);
    if (cached) return { promise: Promise.resolve(cached) };
    const src = sources.get(imageId);
    if (!src) return { promise: Promise.reject(new Error(`no image registered as ${imageId}`)) };
    // The initial window of the image is irrelevant: every pane passes the shared window.
    const img = toCornerstoneImage(src, { center: 0.5, width: 1 });
    images.set(imageId, img);
    evict();
    return { promise: Promise.resolve(img) };
  });
}

/** Registers float data under `flat:<key>` and returns the image id. */
export function putFloatImage(key: string, input: Omit<FloatImageInput, 'imageId'>): string {
  const imageId = `flat:${key}`;
  if (!sources.has(imageId)) {
    sources.set(imageId, { ...input, imageId });
    evict();
  }
  return imageId;
}

export function hasImage(imageId: string): boolean {
  return sources.has(imageId);
}

function evict(): void {
  // Maps iterate in insertion order: drop the oldest entries first.
  while (sources.size > MAX_IMAGES) {
    const oldest = sources.keys().next().value as string;
    sources.delete(oldest);
    images.delete(oldest);
  }
  while (images.size > MAX_IMAGES) {
    const oldest = images.keys().next().value as string;
    images.delete(oldest);
  }
}
