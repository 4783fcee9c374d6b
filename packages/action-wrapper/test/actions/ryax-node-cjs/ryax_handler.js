// A Ryax Node.js processor as Ryax documents it: one function, and the module is that function.
class RyaxException extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

function handle(ryax_input) {
  if (ryax_input.input_str === 'missing') throw new RyaxException('nothing here', 404);
  return { output_str: `${ryax_input.input_str.toUpperCase()} (${arguments.length} argument, optional ${String(ryax_input.note)})` };
}
module.exports = handle;
