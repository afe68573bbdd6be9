// src/image: PNG stream splitting, PNG/.npy decoding and encoding, pixels ↔ model tensor, resize and
// distortion metrics. Browser-safe; the Node-only parts (files, stdin/stdout) are exported from
// './io.js' and './io-stream.js' and deliberately not re-exported here.
export { type Image, type Channels, checkImage, hasAlpha, colorChannels } from './image.js';
export { PNG_SIGNATURE, DEFAULT_MAX_PIXELS, DEFAULT_MAX_ANCILLARY_BYTES, type PngHeader, type PngLimits } from './png-chunks.js';
export { PngSplitter, splitPngs, type PngItem, type PngSplitOptions } from './png-split.js';
export { decodePng, encodePng, type DecodePngOptions, type EncodePngOptions } from './png.js';
export { writeNpy, readNpy, isNpy, type NpyArray, type NpyDtype } from './npy.js';
export { imageToNpy, npyToImage } from './image-npy.js';
export {
  PRESETS, resolvePreset, toModelTensor, fromModelTensor, modelDeltaToPixelDelta, modelGradientToPixelGradient, modelBox,
  type Normalization, type ModelInputOptions, type PresetName,
} from './tensor.js';
export { resizeBilinear } from './resize.js';
export { psnr, deltaStats, clipFraction, clip01, type DeltaStats } from './metrics.js';
export { outputName, outputNames, streamItemName, baseName, stem, type NameOptions } from './names.js';
export { renderSample, SAMPLE_PNG_URL } from './sample.js';
