// A QR code for the enrolment screen's otpauth:// address, drawn by the page (no outside code):
// byte mode, error correction level M, versions 1 to 10 (up to 213 bytes), the mask with the
// lowest penalty, as in ISO/IEC 18004. The address never leaves the page.

// Level M, per version: [EC codewords per block, [[blocks, data codewords per block], …]].
const BLOCKS = [null,
  [10, [[1, 16]]], [16, [[1, 28]]], [26, [[1, 44]]], [18, [[2, 32]]], [24, [[2, 43]]],
  [16, [[4, 27]]], [18, [[4, 31]]], [22, [[2, 38], [2, 39]]], [22, [[3, 36], [2, 37]]], [26, [[4, 43], [1, 44]]]];
const ALIGNMENT = [null, [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]];
const LEVEL_M = 0; // the format bits of level M

function gfMultiply(x, y) {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z;
}

/// The Reed-Solomon generator of `degree`, highest coefficient dropped.
function divisor(degree) {
  const result = new Array(degree).fill(0);
  result[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      result[j] = gfMultiply(result[j], root);
      if (j + 1 < degree) { result[j] ^= result[j + 1]; }
    }
    root = gfMultiply(root, 2);
  }
  return result;
}

function remainder(data, generator) {
  const result = generator.map(() => 0);
  for (const byte of data) {
    const factor = byte ^ result.shift();
    result.push(0);
    generator.forEach((coefficient, i) => { result[i] ^= gfMultiply(coefficient, factor); });
  }
  return result;
}

function dataCapacity(version) {
  return BLOCKS[version][1].reduce((sum, [count, size]) => sum + count * size, 0);
}

/// The data codewords: mode, count, bytes, terminator, padding.
function dataCodewords(bytes, version) {
  const bits = [];
  const put = (value, length) => { for (let i = length - 1; i >= 0; i--) { bits.push((value >>> i) & 1); } };
  put(0b0100, 4);
  put(bytes.length, version < 10 ? 8 : 16);
  for (const byte of bytes) { put(byte, 8); }
  const capacity = dataCapacity(version) * 8;
  put(0, Math.min(4, capacity - bits.length));
  while (bits.length % 8 !== 0) { bits.push(0); }
  const words = [];
  for (let i = 0; i < bits.length; i += 8) { words.push(bits.slice(i, i + 8).reduce((value, bit) => (value << 1) | bit, 0)); }
  for (let pad = 0xec; words.length < capacity / 8; pad ^= 0xec ^ 0x11) { words.push(pad); }
  return words;
}

/// Splits into blocks, adds each block's error correction, interleaves.
function allCodewords(data, version) {
  const [ecLength, groups] = BLOCKS[version];
  const generator = divisor(ecLength);
  const blocks = [];
  let offset = 0;
  for (const [count, size] of groups) {
    for (let b = 0; b < count; b++) {
      const part = data.slice(offset, offset + size);
      offset += size;
      blocks.push({ data: part, ec: remainder(part, generator) });
    }
  }
  const result = [];
  const longest = Math.max(...blocks.map((block) => block.data.length));
  for (let i = 0; i < longest; i++) { for (const block of blocks) { if (i < block.data.length) { result.push(block.data[i]); } } }
  for (let i = 0; i < ecLength; i++) { for (const block of blocks) { result.push(block.ec[i]); } }
  return result;
}

const MASKS = [
  (x, y) => (x + y) % 2 === 0, (x, y) => y % 2 === 0, (x) => x % 3 === 0, (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0, (x, y) => (x * y) % 2 + (x * y) % 3 === 0,
  (x, y) => ((x * y) % 2 + (x * y) % 3) % 2 === 0, (x, y) => ((x + y) % 2 + (x * y) % 3) % 2 === 0,
];

class QRSymbol {
  constructor(version) {
    this.version = version;
    this.size = version * 4 + 17;
    this.dark = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
    this.fixed = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
  }

  set(x, y, dark) {
    this.dark[y][x] = dark;
    this.fixed[y][x] = true;
  }

  drawFunctionPatterns() {
    const size = this.size;
    for (let i = 0; i < size; i++) { this.set(6, i, i % 2 === 0); this.set(i, 6, i % 2 === 0); }
    for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]]) {
      for (let dy = -4; dy <= 4; dy++) {
        for (let dx = -4; dx <= 4; dx++) {
          const x = cx + dx;
          const y = cy + dy;
          const distance = Math.max(Math.abs(dx), Math.abs(dy));
          if (x >= 0 && x < size && y >= 0 && y < size) { this.set(x, y, distance !== 2 && distance !== 4); }
        }
      }
    }
    const centres = ALIGNMENT[this.version];
    const last = centres.length - 1;
    centres.forEach((cx, i) => centres.forEach((cy, j) => {
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) { return; }
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) { this.set(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1); }
      }
    }));
    this.drawFormat(0);
    if (this.version >= 7) {
      let rest = this.version;
      for (let i = 0; i < 12; i++) { rest = (rest << 1) ^ ((rest >>> 11) * 0x1f25); }
      const bits = (this.version << 12) | rest;
      for (let i = 0; i < 18; i++) {
        const bit = ((bits >>> i) & 1) === 1;
        const a = size - 11 + (i % 3);
        const b = Math.floor(i / 3);
        this.set(a, b, bit);
        this.set(b, a, bit);
      }
    }
  }

  drawFormat(mask) {
    const data = (LEVEL_M << 3) | mask;
    let rest = data;
    for (let i = 0; i < 10; i++) { rest = (rest << 1) ^ ((rest >>> 9) * 0x537); }
    const bits = ((data << 10) | rest) ^ 0x5412;
    const bit = (i) => ((bits >>> i) & 1) === 1;
    const size = this.size;
    for (let i = 0; i <= 5; i++) { this.set(8, i, bit(i)); }
    this.set(8, 7, bit(6));
    this.set(8, 8, bit(7));
    this.set(7, 8, bit(8));
    for (let i = 9; i < 15; i++) { this.set(14 - i, 8, bit(i)); }
    for (let i = 0; i < 8; i++) { this.set(size - 1 - i, 8, bit(i)); }
    for (let i = 8; i < 15; i++) { this.set(8, size - 15 + i, bit(i)); }
    this.set(8, size - 8, true);
  }

  /// Places the codewords in the two-column zigzag, skipping the function patterns.
  drawCodewords(words) {
    const size = this.size;
    let i = 0;
    for (let right = size - 1; right >= 1; right -= 2) {
      if (right === 6) { right = 5; }
      for (let step = 0; step < size; step++) {
        for (let j = 0; j < 2; j++) {
          const x = right - j;
          const upward = ((right + 1) & 2) === 0;
          const y = upward ? size - 1 - step : step;
          if (!this.fixed[y][x] && i < words.length * 8) {
            this.dark[y][x] = ((words[i >>> 3] >>> (7 - (i & 7))) & 1) === 1;
            i++;
          }
        }
      }
    }
  }

  applyMask(mask) {
    for (let y = 0; y < this.size; y++) {
      for (let x = 0; x < this.size; x++) {
        if (!this.fixed[y][x] && MASKS[mask](x, y)) { this.dark[y][x] = !this.dark[y][x]; }
      }
    }
  }

  /// The standard's penalty: runs, 2×2 blocks, finder-like patterns, dark balance.
  penalty() {
    const size = this.size;
    const at = (x, y) => this.dark[y][x];
    let score = 0;
    const finderLike = [true, false, true, true, true, false, true, false, false, false, false];
    for (const line of [(i, j) => at(j, i), (i, j) => at(i, j)]) {
      for (let i = 0; i < size; i++) {
        let run = 1;
        for (let j = 1; j < size; j++) {
          if (line(i, j) === line(i, j - 1)) {
            run++;
            if (run === 5) { score += 3; } else if (run > 5) { score += 1; }
          } else { run = 1; }
        }
        for (let j = 0; j + 11 <= size; j++) {
          const forward = finderLike.every((dark, k) => line(i, j + k) === dark);
          const backward = finderLike.every((dark, k) => line(i, j + 10 - k) === dark);
          if (forward) { score += 40; }
          if (backward) { score += 40; }
        }
      }
    }
    let darkCount = 0;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if (at(x, y)) { darkCount++; }
        if (x + 1 < size && y + 1 < size && at(x, y) === at(x + 1, y) && at(x, y) === at(x, y + 1) && at(x, y) === at(x + 1, y + 1)) { score += 3; }
      }
    }
    score += 10 * Math.floor(Math.abs((darkCount * 100) / (size * size) - 50) / 5);
    return score;
  }
}

/// The QR code of `text` as rows of dark (true) and light modules, or null if it is too long.
export function qrModules(text) {
  const bytes = Array.from(new TextEncoder().encode(text));
  let version = 1;
  while (version <= 10 && 4 + (version < 10 ? 8 : 16) + bytes.length * 8 > dataCapacity(version) * 8) { version++; }
  if (version > 10) { return null; }
  const words = allCodewords(dataCodewords(bytes, version), version);
  let best = null;
  for (let mask = 0; mask < 8; mask++) {
    const symbol = new QRSymbol(version);
    symbol.drawFunctionPatterns();
    symbol.drawCodewords(words);
    symbol.applyMask(mask);
    symbol.drawFormat(mask);
    const score = symbol.penalty();
    if (!best || score < best.score) { best = { score, symbol }; }
  }
  return best.symbol.dark;
}

/// An SVG drawing of `text`'s QR code with its quiet zone (one path; colours from the style sheet).
export function qrSVG(text, label) {
  const modules = qrModules(text);
  if (!modules) { return null; }
  const namespace = "http://www.w3.org/2000/svg";
  const border = 4;
  const span = modules.length + border * 2;
  const svg = document.createElementNS(namespace, "svg");
  svg.setAttribute("viewBox", `0 0 ${span} ${span}`);
  svg.setAttribute("class", "qr");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("shape-rendering", "crispEdges");
  const background = document.createElementNS(namespace, "rect");
  background.setAttribute("width", String(span));
  background.setAttribute("height", String(span));
  background.setAttribute("class", "qr-light");
  const path = document.createElementNS(namespace, "path");
  let d = "";
  modules.forEach((row, y) => row.forEach((dark, x) => { if (dark) { d += `M${x + border},${y + border}h1v1h-1z`; } }));
  path.setAttribute("d", d);
  path.setAttribute("class", "qr-dark");
  svg.append(background, path);
  return svg;
}
