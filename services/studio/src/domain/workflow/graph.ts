/**
 * The cycles of a dependency graph (id -> the ids it depends on), one per strongly connected
 * component, each as a path `a, b, c` meaning a depends on b, b on c, c on a. Ids are visited in
 * the graph's order, so the answer is stable for a given document.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  // Iterative Tarjan: a document may hold hundreds of steps in one chain.
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { id: string; next: number }[] = [{ id: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { id: string; next: number };
      const neighbours = graph.get(frame.id) ?? [];
      if (frame.next < neighbours.length) {
        const neighbour = neighbours[frame.next++] as string;
        if (!graph.has(neighbour)) continue;
        if (!index.has(neighbour)) {
          index.set(neighbour, counter);
          low.set(neighbour, counter++);
          stack.push(neighbour);
          onStack.add(neighbour);
          work.push({ id: neighbour, next: 0 });
        } else if (onStack.has(neighbour)) {
          low.set(frame.id, Math.min(low.get(frame.id) as number, index.get(neighbour) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) as number, low.get(frame.id) as number));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        if (component.length > 1) components.push(component);
      }
    }
  }
  return components.map((component) => cycleWithin(new Set(component), graph));
}

/** One cycle through the component's first member in graph order. */
function cycleWithin(component: ReadonlySet<string>, graph: ReadonlyMap<string, readonly string[]>): string[] {
  const start = [...graph.keys()].find((id) => component.has(id)) as string;
  const previous = new Map<string, string>();
  const queue = [start];
  // Breadth first from start, inside the component, until an edge leads back to start.
  while (queue.length > 0) {
    const id = queue.shift() as string;
    for (const next of graph.get(id) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path = [id];
        while (path[0] !== start) path.unshift(previous.get(path[0] as string) as string);
        return path;
      }
      if (!previous.has(next)) {
        previous.set(next, id);
        queue.push(next);
      }
    }
  }
  return [start];
}
