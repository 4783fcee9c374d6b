// node --test bench/compare/ — what bench:compare keeps of make's output.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStepLine } from './instance.mjs';

test("make up's login line (the admin password) is never kept among the start's steps", () => {
  const output = ['trellis: building', 'protos gen: ok', 'vite v7.3.8 building client environment for production...', '- runner ready', 'Login:          admin / s3cret-Pa55', '(kept in .trellis/admin-password)', 'Trellis is up:  http://localhost:8080/app/'];
  assert.deepEqual(output.filter(isStepLine), ['trellis: building', 'protos gen: ok', 'vite v7.3.8 building client environment for production...', '- runner ready']);
});
