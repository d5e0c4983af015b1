import assert from 'node:assert/strict';
import { compareProblems, formatProblem } from '../../../src/config/problems.js';

describe('config problems', () => {
  it('print as FILE:LINE:COL: message', () => {
    assert.equal(formatProblem({ file: 'routes/a.yaml', line: 3, col: 7, message: 'bad' }), 'routes/a.yaml:3:7: bad');
  });

  it('sort by file, then line, then column', () => {
    const p = (file: string, line: number, col: number) => ({ file, line, col, message: '' });
    const sorted = [p('b', 1, 1), p('a', 2, 1), p('a', 1, 9), p('a', 1, 2)].sort(compareProblems);
    assert.deepEqual(sorted, [p('a', 1, 2), p('a', 1, 9), p('a', 2, 1), p('b', 1, 1)]);
  });
});
