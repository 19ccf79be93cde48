// A target with a bug behind four nested byte comparisons: blind random inputs hit it about once
// in 4 billion tries, the coverage-guided search within 50 000 (each comparison passed is a new
// branch, so the input that passed it is kept and mutated further).
export function maze(data: Uint8Array): void {
  if (data.length < 6) return;
  if (data[0] === 0x50) {
    if (data[1] === 0x4f) {
      if (data[2] === 0x44) {
        if (data[3] === 0x4e) {
          throw new RangeError('reached the bottom of the maze');
        }
      }
    }
  }
}
