import { checkReadiness, services, type Readiness, type Service } from './readiness.js';
import './style.css';

const refreshMs = 5000;
const timeoutMs = 4000;

const labels: Record<Readiness['state'], string> = {
  ready: 'Ready',
  'not-ready': 'Not ready',
  unreachable: 'Unreachable',
};

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function required<T extends Element>(selector: string): T {
  const node = document.querySelector<T>(selector);
  if (!node) throw new Error(`The page has no ${selector}`);
  return node;
}

const body = required<HTMLTableSectionElement>('#services');
const summary = required<HTMLParagraphElement>('#summary');
const checkedAt = required<HTMLParagraphElement>('#checked-at');

type Row = { state: HTMLTableCellElement; details: HTMLTableCellElement; row: HTMLTableRowElement };

const rows = new Map<string, Row>(
  services.map((service) => {
    const row = element('tr');
    row.dataset['service'] = service.id;
    row.dataset['state'] = 'checking';
    const name = element('th');
    name.scope = 'row';
    name.append(element('span', 'service-name', service.name), element('code', 'service-path', service.readyz));
    const state = element('td', 'state');
    state.append(badge('checking', 'Checking…'));
    const details = element('td', 'details');
    row.append(name, state, details);
    body.append(row);
    return [service.id, { state, details, row }];
  }),
);

function badge(state: string, label: string): HTMLSpanElement {
  const node = element('span', `badge badge-${state}`);
  node.append(element('span', 'dot'), document.createTextNode(label));
  return node;
}

function describe(readiness: Readiness): Node[] {
  switch (readiness.state) {
    case 'ready':
      return [document.createTextNode(readiness.checks.length > 0 ? `Checks passing: ${readiness.checks.join(', ')}` : 'Ready')];
    case 'not-ready': {
      const nodes: Node[] = [];
      if (readiness.failing.length > 0) {
        const list = element('ul', 'failing');
        for (const check of readiness.failing) {
          const item = element('li');
          item.append(element('strong', undefined, check.name), document.createTextNode(`: ${check.message}`));
          list.append(item);
        }
        nodes.push(list);
      }
      if (readiness.reason) nodes.push(element('span', undefined, readiness.reason));
      return nodes;
    }
    case 'unreachable':
      return [document.createTextNode(readiness.reason)];
  }
}

function show(service: Service, readiness: Readiness): void {
  const row = rows.get(service.id);
  if (!row) return;
  row.row.dataset['state'] = readiness.state;
  row.state.replaceChildren(badge(readiness.state, labels[readiness.state]));
  row.details.replaceChildren(...describe(readiness));
}

async function refresh(): Promise<void> {
  const outcomes = await Promise.all(
    services.map(async (service) => {
      const readiness = await checkReadiness(service, timeoutMs);
      show(service, readiness);
      return readiness;
    }),
  );
  const ready = outcomes.filter((outcome) => outcome.state === 'ready').length;
  summary.textContent =
    ready === services.length ? `All ${services.length} services are ready.` : `${ready} of ${services.length} services are ready.`;
  summary.dataset['ready'] = String(ready);
  const time = new Date().toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  checkedAt.textContent = `Last checked at ${time}. Refreshes every 5 seconds.`;
}

let timer: ReturnType<typeof setTimeout> | undefined;
let running = false;

/** One round at a time; the next one starts 5 s after the last one ended. */
async function loop(): Promise<void> {
  if (running) return;
  running = true;
  clearTimeout(timer);
  try {
    await refresh();
  } finally {
    running = false;
    timer = setTimeout(() => void loop(), refreshMs);
  }
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void loop();
});

void loop();
