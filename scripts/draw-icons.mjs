// Draws the Worklink icons (two interlinked rings on a rounded blue tile) into assets/.
// Run with `node scripts/draw-icons.mjs`; the PNGs are committed, so only rerun after a change.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const SIZES = [16, 32, 64, 80, 128];
/** Samples per pixel along each axis; 8 × 8 samples give smooth edges at every size. */
const SUPERSAMPLING = 8;
const TILE_RGB = [0x0f, 0x6c, 0xbd];
const RING_RGB = [0xff, 0xff, 0xff];

const assetsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'assets');

/** Returns geometry in units of the icon's side; small icons get thicker strokes to stay legible. */
function geometry(size) {
  const small = size <= 32;
  return {
    cornerRadius: 0.2,
    ringRadius: small ? 0.225 : 0.2,
    ringOffset: small ? 0.13 : 0.13,
    stroke: small ? 0.125 : 0.085,
    gap: small ? 0.045 : 0.035,
  };
}

function insideRoundedTile(x, y, radius) {
  const dx = Math.max(radius - x, 0, x - (1 - radius));
  const dy = Math.max(radius - y, 0, y - (1 - radius));
  return dx * dx + dy * dy <= radius * radius;
}

/** Returns the colour of one sample point, or null outside the tile. */
function sampleColour(x, y, g) {
  if (!insideRoundedTile(x, y, g.cornerRadius)) return null;

  const distanceA = Math.abs(Math.hypot(x - (0.5 - g.ringOffset), y - 0.5) - g.ringRadius);
  const distanceB = Math.abs(Math.hypot(x - (0.5 + g.ringOffset), y - 0.5) - g.ringRadius);
  // The left ring passes over the right one at the upper crossing and under it at the lower one.
  // The ring on top is outlined with a gap of tile colour, so the crossing reads as a link.
  const [top, bottom] = y < 0.5 ? [distanceA, distanceB] : [distanceB, distanceA];
  const half = g.stroke / 2;
  if (top < half) return RING_RGB;
  if (top < half + g.gap) return TILE_RGB;
  if (bottom < half) return RING_RGB;
  return TILE_RGB;
}

/** Renders one icon of `size` × `size` pixels with straight (not premultiplied) alpha. */
function drawIcon(size) {
  const png = new PNG({ width: size, height: size });
  const g = geometry(size);
  const samples = SUPERSAMPLING * SUPERSAMPLING;

  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let covered = 0;
      const sum = [0, 0, 0];
      for (let sy = 0; sy < SUPERSAMPLING; sy++) {
        for (let sx = 0; sx < SUPERSAMPLING; sx++) {
          const x = (px + (sx + 0.5) / SUPERSAMPLING) / size;
          const y = (py + (sy + 0.5) / SUPERSAMPLING) / size;
          const colour = sampleColour(x, y, g);
          if (!colour) continue;
          covered++;
          for (let c = 0; c < 3; c++) sum[c] += colour[c];
        }
      }
      const offset = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) png.data[offset + c] = covered ? Math.round(sum[c] / covered) : 0;
      png.data[offset + 3] = Math.round((covered / samples) * 255);
    }
  }
  return PNG.sync.write(png);
}

mkdirSync(assetsDir, { recursive: true });
for (const size of SIZES) {
  const file = path.join(assetsDir, `icon-${size}.png`);
  writeFileSync(file, drawIcon(size));
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
