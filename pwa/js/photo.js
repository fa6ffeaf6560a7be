// Photos are resized on the device before they are kept: cheap phones and slow links cannot
// carry 12-megapixel originals. Re-encoding as JPEG also drops EXIF data such as GPS position.

export const MAX_SIDE = 1280;

/** {blob, width, height} — a JPEG whose longer side is at most maxSide pixels. */
export async function resizePhoto(file, maxSide = MAX_SIDE, quality = 0.82) {
  if (!file || !String(file.type).startsWith("image/")) throw new Error("not an image");
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff"; // JPEG has no transparency
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("could not encode JPEG"))), "image/jpeg", quality),
  );
  return { blob, width, height };
}
