// DEV ONLY: exercises bench/ui.ts against the fake host (numbers meaningless).
import { expect, it } from 'vitest';
import { runUiBench } from '../../bench/ui';

it('ui bench runs', async () => {
  const r = await runUiBench();
  console.log(JSON.stringify(r));
  expect(r.length).toBe(2);
}, 300_000);
