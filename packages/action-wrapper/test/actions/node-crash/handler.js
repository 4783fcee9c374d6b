// Crashes the whole process: an exception thrown from a timer, outside the handler's promise.
export async function handle() {
  setTimeout(() => {
    throw new Error('crash outside the execution');
  }, 20);
  return { result: 'scheduled a crash' };
}
