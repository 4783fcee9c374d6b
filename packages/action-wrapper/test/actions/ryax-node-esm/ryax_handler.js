// The ES module form of a Ryax handler: the default export is the function.
// eslint-disable-next-line no-restricted-syntax -- the form under test is a default export
export default async function handle(ryax_input) {
  return { output_str: `esm ${ryax_input.input_str}` };
}
