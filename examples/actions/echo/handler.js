export function handle(inputs) {
  console.log(`echoing ${inputs.text.length} characters`);
  return { text: inputs.text };
}
