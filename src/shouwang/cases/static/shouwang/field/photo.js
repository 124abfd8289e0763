// Shrinks a camera photo in the browser before it goes up a slow connection: drawn on a canvas
// with its long side at most 1600 px and re-encoded as JPEG. A 4 MB phone photo becomes a few
// hundred KB. What cannot be decoded here is sent as it is, for the server to accept or refuse
// with its own message (it checks every upload anyway).
(function () {
  "use strict";
  const LONG_SIDE = 1600;
  const QUALITY = 0.82;

  async function decode(file) {
    if (window.createImageBitmap) {
      try {
        // from-image applies the EXIF orientation, so a portrait photo stays upright.
        return await createImageBitmap(file, { imageOrientation: "from-image" });
      } catch (e) { /* fall back to an <img> below */ }
    }
    const url = URL.createObjectURL(file);
    try {
      const img = new Image();
      img.src = url;
      await img.decode();
      return img;
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  async function compress(file) {
    if (!file || !/^image\//.test(file.type || "")) return file;
    let image;
    try { image = await decode(file); } catch (e) { return file; }
    const width = image.width || image.naturalWidth;
    const height = image.height || image.naturalHeight;
    if (!width || !height) return file;
    const scale = Math.min(1, LONG_SIDE / Math.max(width, height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff"; // a transparent PNG would turn black as JPEG
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    if (image.close) image.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
    if (!blob) return file;
    // Keep the original when it was already smaller (a small PNG screenshot).
    if (blob.size >= file.size && scale === 1) return file;
    const name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
    return new File([blob], name, { type: "image/jpeg" });
  }

  function sizeText(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  window.swPhoto = { compress, sizeText, LONG_SIDE };
})();
