// Orientation markers under rotation and flips, fit scale, scale bar and length measurement.
import { describe, expect, it } from 'vitest';
import {
  directionLabel,
  fitScale,
  measureLength,
  normaliseRotation,
  orientationMarkers,
  pixelAt,
  scaleBar,
  type Orientation,
  type ViewTransform,
} from './geometry';

const AXIAL: Orientation = [1, 0, 0, 0, 1, 0]; // rows run to patient left, columns to posterior
const SAGITTAL: Orientation = [0, 1, 0, 0, 0, -1];
const plain: ViewTransform = { rotation: 0, hflip: false, vflip: false };

describe('orientation markers', () => {
  it('an axial DICOM slice reads R on the left, A on top', () => {
    expect(orientationMarkers(AXIAL, plain)).toEqual({ top: 'A', bottom: 'P', left: 'R', right: 'L' });
  });
  it('a sagittal slice reads A/P left-right and H/F top-bottom', () => {
    expect(orientationMarkers(SAGITTAL, plain)).toEqual({ top: 'H', bottom: 'F', left: 'A', right: 'P' });
  });
  it('follow a clockwise rotation: what was on top goes to the right', () => {
    const m0 = orientationMarkers(AXIAL, plain)!;
    const m90 = orientationMarkers(AXIAL, { ...plain, rotation: 90 })!;
    expect(m90.right).toBe(m0.top);
    expect(m90.bottom).toBe(m0.right);
    expect(m90.left).toBe(m0.bottom);
    expect(m90.top).toBe(m0.left);
    const m180 = orientationMarkers(AXIAL, { ...plain, rotation: 180 })!;
    expect(m180).toEqual({ top: 'P', bottom: 'A', left: 'L', right: 'R' });
    const m270 = orientationMarkers(AXIAL, { ...plain, rotation: 270 })!;
    expect(m270.top).toBe(m0.right);
  });
  it('follow flips, and flip then rotate matches cornerstone (flip first)', () => {
    expect(orientationMarkers(AXIAL, { ...plain, hflip: true })).toEqual({ top: 'A', bottom: 'P', left: 'L', right: 'R' });
    expect(orientationMarkers(AXIAL, { ...plain, vflip: true })).toEqual({ top: 'P', bottom: 'A', left: 'R', right: 'L' });
    // hflip + 90° clockwise: image left (L after the flip) ends on top.
    expect(orientationMarkers(AXIAL, { rotation: 90, hflip: true, vflip: false })!.top).toBe('L');
    // hflip + vflip = 180°.
    expect(orientationMarkers(AXIAL, { rotation: 0, hflip: true, vflip: true })).toEqual(orientationMarkers(AXIAL, { ...plain, rotation: 180 }));
  });
  it('oblique directions get two letters; unknown or broken orientation gives null', () => {
    expect(directionLabel([0.8, -0.6, 0])).toBe('LA');
    expect(directionLabel([0.99, 0.05, 0])).toBe('L');
    expect(orientationMarkers(undefined, plain)).toBeNull();
    expect(orientationMarkers([1, 0, 0, 1, 0, 0], plain)).toBeNull(); // not orthogonal
    expect(orientationMarkers([0, 0, 0, 0, 1, 0], plain)).toBeNull();
  });
  it('rotation normalises to quarter turns', () => {
    expect(normaliseRotation(-90)).toBe(270);
    expect(normaliseRotation(450)).toBe(90);
    expect(normaliseRotation(360)).toBe(0);
  });
});

describe('fit, scale bar, measurement', () => {
  it('fit keeps the overlay bands free when the pane is tall enough', () => {
    expect(fitScale(400, 400, { rows: 200, cols: 200 }, 0)).toBe(2);
    expect(fitScale(400, 400, { rows: 200, cols: 200 }, 0, undefined, 50)).toBe(1.5);
    // Rotation swaps the sides: 100 rows × 300 cols rotated is 300 tall.
    expect(fitScale(600, 300, { rows: 100, cols: 300 }, 90)).toBe(1);
    // Non-square pixels: the coarser axis stretches (rows 2 mm apart, columns 1 mm).
    expect(fitScale(100, 400, { rows: 100, cols: 100 }, 0, [2, 1])).toBe(1);
  });
  it('scale bar is a 1-2-5 length that fits, in mm/cm with spacing, px without', () => {
    const bar = scaleBar(2, [0.5, 0.5], 100)!; // 0.25 mm per screen px → 25 mm fits in 100 px
    expect(bar.value).toBe(20);
    expect(bar.label).toBe('2 cm');
    expect(bar.lengthPx).toBeCloseTo(80);
    const px = scaleBar(1, undefined, 120)!;
    expect(px.label).toBe('100 px');
    expect(px.lengthPx).toBe(100);
    expect(scaleBar(0, [1, 1], 100)).toBeNull();
  });
  it('length in mm uses row and column spacing; px says the spacing is unknown', () => {
    expect(measureLength({ x: 0, y: 0 }, { x: 3, y: 4 }, [1, 1]).label).toBe('5.0 mm');
    expect(measureLength({ x: 0, y: 0 }, { x: 10, y: 0 }, [2, 0.5]).value).toBeCloseTo(5);
    expect(measureLength({ x: 0, y: 0 }, { x: 0, y: 10 }, [2, 0.5]).value).toBeCloseTo(20);
    const px = measureLength({ x: 0, y: 0 }, { x: 3, y: 4 }, undefined);
    expect(px.unit).toBe('px');
    expect(px.label).toContain('spacing unknown');
  });
  it('pixelAt maps image points to pixels and refuses points outside', () => {
    expect(pixelAt({ x: 0.2, y: 3.9 }, 4, 4)).toEqual({ row: 3, col: 0 });
    expect(pixelAt({ x: -0.1, y: 0 }, 4, 4)).toBeNull();
    expect(pixelAt({ x: 4, y: 0 }, 4, 4)).toBeNull();
  });
});
