class ActionError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'ActionError';
    this.code = code;
  }
}

export function handle(inputs) {
  const { numbers } = inputs;
  if (!Array.isArray(numbers) || numbers.some((n) => typeof n !== 'number')) {
    throw new ActionError('numbers must be a JSON list of numbers', 'bad_numbers');
  }
  return { total: numbers.reduce((sum, n) => sum + n, 0), count: numbers.length };
}
