// A Ryax Node.js action as Ryax's documentation writes it: one function, which is the module.
function handle(ryaxInput) {
  const words = ryaxInput.title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  const slug = words.join(ryaxInput.separator);
  console.log(`${words.length} words`);
  return { slug, length: slug.length };
}

module.exports = handle;
