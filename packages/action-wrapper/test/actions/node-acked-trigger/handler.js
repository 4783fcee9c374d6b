// Writes what became of each emit to the journal file (one JSON line each), so a test sees when
// and how it settled: { start: lastEvent } first, then { n, ok, code?, message? } per event.
import { appendFileSync } from 'node:fs';

export async function run(context, inputs) {
  const note = (line) => appendFileSync(inputs.journal, `${JSON.stringify(line)}\n`);
  note({ start: context.lastEvent });
  // `again`: one more emit after a cancelled one, noted as n + 100.
  const emitAgain = async (n) => {
    try {
      await context.emit({ n });
      note({ n, ok: true });
    } catch (error) {
      note({ n, ok: false, code: error.code, message: error.message });
    }
  };
  for (let n = 1; n <= inputs.count; n++) {
    try {
      await context.emit(n === inputs.bad ? { n: 'not a number' } : { n });
      note({ n, ok: true });
    } catch (error) {
      note({ n, ok: false, code: error.code, message: error.message });
      if (error.code === 'emit_cancelled' && inputs.again) await emitAgain(n + 100);
    }
  }
  await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
}
