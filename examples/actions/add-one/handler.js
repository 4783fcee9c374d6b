// The smallest useful step: chains of it measure what the platform adds per step.
export async function handle({ n }) {
  return { n: n + 1 };
}
