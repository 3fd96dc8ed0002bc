import { boundsOf, regionGrid } from './regions';
import { softmaxRow } from './test-clusters';

describe('regionGrid', () => {
  const points = [[0, 0], [0, 1], [10, 0], [10, 1]];
  const probabilities = [softmaxRow(0, 3, 0.8), softmaxRow(0, 3, 0.8), softmaxRow(2, 3, 0.6), softmaxRow(2, 3, 0.6)];

  it("shades each side with the class and confidence of the network's prediction there", () => {
    const grid = regionGrid(points, probabilities, 10, boundsOf(points, 0), 2);
    const cell = (row: number, col: number) => row * 10 + col;
    expect(grid.classes[cell(5, 0)]).toBe(0);
    expect(grid.classes[cell(5, 9)]).toBe(2);
    expect(grid.confidence[cell(5, 0)]).toBeCloseTo(0.8, 5);
    expect(grid.confidence[cell(5, 9)]).toBeCloseTo(0.6, 5);
  });

  it('mixes the neighbours in between, so confidence drops near the boundary', () => {
    const grid = regionGrid(points, probabilities, 11, boundsOf(points, 0), 4);
    expect(grid.confidence[5 * 11 + 5]).toBeLessThan(0.6);
  });

  it('refuses mismatched inputs', () => {
    expect(() => regionGrid(points, probabilities.slice(1), 4, boundsOf(points))).toThrow('4 points but 3 probability rows');
  });
});

describe('boundsOf', () => {
  it('covers every point with a margin', () => {
    expect(boundsOf([[0, 0], [10, 20]], 0.1)).toEqual([-1, 11, -2, 22]);
  });
});
