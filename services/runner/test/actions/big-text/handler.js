export async function handle({ text, times }) {
  return { text: text.repeat(times), length: text.length };
}
