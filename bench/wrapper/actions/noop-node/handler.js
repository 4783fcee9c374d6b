export function handle() {
  return { ok: true };
}
