import { imageSize } from 'image-size';

export const LOGO_MAX_SIDE = 256;
export const LOGO_MAX_BYTES = 1024 * 1024;
const LOGO_TYPES = ['png', 'jpg', 'svg', 'gif', 'webp'] as const;

export type LogoVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: 'logo_not_image' | 'logo_too_big' | 'logo_file_too_large'; readonly message: string };

/**
 * Checks a logo's bytes: an image by its content (not its name), PNG, JPEG, SVG, GIF or WebP, at
 * most 1 MiB and, for raster images, at most 256x256 pixels (an SVG scales, so only its size in
 * bytes counts).
 */
export function checkLogo(bytes: Uint8Array, logo: string): LogoVerdict {
  if (bytes.byteLength > LOGO_MAX_BYTES) {
    return { ok: false, code: 'logo_file_too_large', message: `logo "${logo}" is ${bytes.byteLength} bytes; at most ${LOGO_MAX_BYTES} bytes (1 MiB)` };
  }
  const notImage = { ok: false, code: 'logo_not_image', message: `logo "${logo}" is not a PNG, JPEG, SVG, GIF or WebP image` } as const;
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(bytes);
  } catch {
    return notImage;
  }
  const type = LOGO_TYPES.find((candidate) => candidate === size.type);
  if (type === undefined) return { ...notImage, message: `${notImage.message} (it is ${size.type ?? 'unknown'})` };
  if (type !== 'svg' && (size.width > LOGO_MAX_SIDE || size.height > LOGO_MAX_SIDE)) {
    return { ok: false, code: 'logo_too_big', message: `logo "${logo}" is ${size.width}x${size.height} pixels; at most ${LOGO_MAX_SIDE}x${LOGO_MAX_SIDE}` };
  }
  return { ok: true };
}
