// "Export PNG": the map canvas (kept readable by preserveDrawingBuffer) with the HTML
// city labels drawn back on and a caption with the date shown, saved as a PNG download.

/**
 * Compose the current map view into a PNG data URL.
 * @param {import('maplibre-gl').Map} map
 * @param {string} caption text for the bottom-left corner
 * @returns {string} a data: URL of the PNG
 */
export function mapToPng(map, caption) {
  const source = map.getCanvas();
  const canvas = document.createElement('canvas');
  canvas.width = source.width;
  canvas.height = source.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(source, 0, 0);
  const ratio = source.width / source.clientWidth || 1;
  ctx.scale(ratio, ratio);
  ctx.font = '12px sans-serif';
  ctx.textBaseline = 'middle';
  // The labels are HTML markers: draw the visible ones where the map puts them.
  const hidden = ['labels-hidden', 'labels-off'].some((c) => map.getContainer().classList.contains(c));
  if (!hidden) {
    for (const label of map.getContainer().querySelectorAll('.city-label:not(.collide)')) {
      const box = label.getBoundingClientRect();
      const origin = source.getBoundingClientRect();
      const x = box.left - origin.left;
      const y = box.top - origin.top + box.height / 2;
      ctx.lineWidth = 3;
      ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      ctx.strokeText(label.textContent, x, y);
      ctx.fillStyle = '#222';
      ctx.fillText(label.textContent, x, y);
    }
  }
  ctx.font = 'bold 14px sans-serif';
  const width = ctx.measureText(caption).width;
  ctx.fillStyle = 'rgba(255,255,255,0.85)';
  ctx.fillRect(6, source.clientHeight - 30, width + 12, 24);
  ctx.fillStyle = '#111';
  ctx.fillText(caption, 12, source.clientHeight - 18);
  return canvas.toDataURL('image/png');
}

/** Save a data URL as a file through a temporary link. */
export function download(dataUrl, filename) {
  const link = document.createElement('a');
  link.href = dataUrl;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
}
