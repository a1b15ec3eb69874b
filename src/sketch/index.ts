/**
 * `quickdraw-tfjs/sketch`: Quick, Draw! drawings and the tutorial's stroke-3 ink on plain typed arrays
 * (browser-safe, no tfjs): conversion (`drawingToInk`), the ndjson and `.bin` readers, the simplified
 * format's processing, stroke-3 / stroke-5 helpers, batch padding, SVG pictures and synthetic shapes.
 * @module
 */
export type {Drawing, Ink, QuickDrawSample} from './types.js';
export {SketchError} from './errors.js';
export type {SketchErrorCode, SketchErrorContext} from './errors.js';
export {drawingToInk} from './drawing-to-ink.js';
export {parseNdjson} from './ndjson.js';
export type {ParseNdjsonOptions} from './ndjson.js';
export {parseBinaryDrawings} from './binary.js';
export type {ParseBinaryDrawingsOptions} from './binary.js';
export type {ChunkSource} from './chunks.js';
export {simplifyDrawing} from './simplify.js';
export type {SimplifyDrawingOptions} from './simplify.js';
export {cropInk, inkLength, inkToAbsolute, splitStrokes} from './stroke3.js';
export type {InkToAbsoluteOptions} from './stroke3.js';
export {fromStroke5, toStroke5} from './stroke5.js';
export type {FromStroke5Options, ToStroke5Options} from './stroke5.js';
export {padInks} from './pad.js';
export type {PadInksOptions, PaddedInks} from './pad.js';
export {sketchGridSvg, sketchToSvg} from './sketch-svg.js';
export type {SketchGridSvgOptions, SketchSvgOptions} from './sketch-svg.js';
export {lengthHistogramSvg} from './histogram-svg.js';
export type {LengthHistogramSvgOptions} from './histogram-svg.js';
export {SYNTHETIC_CLASSES, syntheticSketches} from './synthetic.js';
export type {SyntheticClass, SyntheticSketches, SyntheticSketchesOptions} from './synthetic.js';
