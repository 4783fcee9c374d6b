// CommonJS (no package.json with "type": "module"), and an ActionError of its own: the wrapper
// recognises any error named ActionError with a string code.
class ActionError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'ActionError';
    this.code = code;
  }
}

exports.handle = async function handle(inputs) {
  if (inputs.text === 'fail') throw new ActionError('told to fail', 'told_to');
  console.log('cjs says', inputs.text);
  return { result: `cjs:${inputs.text}` };
};
