import { type Api, ApiError, type GraphNode, type QueryResult, errorMessage, isAbort } from '../api';
import { type PageContext } from '../context';
import { append, clear, externalLink, h, loading, safeHttpUrl, scrollTable } from '../dom';
import { errorArea, hideError } from '../error-box';
import { drawGraph, type GraphView } from '../graph-view';
import { propertyTable } from '../property-table';
import { resultsTable } from '../results-table';
import { queryHash } from '../router';

const EXAMPLE = 'FIND jumpcloud_user AS u THAT HAS jumpcloud_group AS g RETURN u, g';

let lastQuery = '';

export function renderQuery(ctx: PageContext): void {
  const { root, api, signal } = ctx;
  const fromLink = ctx.route.params.get('q');

  const input = h('textarea', {
    id: 'query-input',
    name: 'q',
    rows: 4,
    spellcheck: 'false',
    autocapitalize: 'off',
    autocomplete: 'off',
    placeholder: EXAMPLE,
    'aria-describedby': 'query-help',
  });
  input.value = fromLink ?? lastQuery;
  const runButton = h('button', { id: 'query-run', type: 'submit', class: 'primary' }, 'Run');
  const form = h(
    'form',
    { class: 'query-form', id: 'query-form' },
    h('label', { for: 'query-input' }, 'J1QL query'),
    input,
    h(
      'div',
      { class: 'query-actions' },
      runButton,
      h('span', { id: 'query-help', class: 'hint' }, 'Ctrl+Enter or ⌘+Enter runs the query.'),
    ),
  );

  const errorBox = errorArea('query-error');
  const count = h('p', { id: 'query-count', 'aria-live': 'polite', class: 'count' });
  const duration = h('span', { id: 'query-duration', class: 'count duration' });
  const countLine = h('div', { class: 'count-line' }, count, duration);
  const results = h('div', { id: 'query-results', class: 'results-area' });

  append(root, h('h1', {}, 'Query'), form, errorBox, countLine, results);

  let view: GraphView | null = null;
  let inFlight: AbortController | null = null;
  ctx.onLeave(() => {
    view?.destroy();
    inFlight?.abort();
  });

  const run = async (q: string) => {
    q = q.trim();
    if (!q) {
      input.focus();
      return;
    }
    lastQuery = q;
    ctx.replaceHash(queryHash(q));
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    signal.addEventListener('abort', () => controller.abort(), { once: true });
    hideError(errorBox);
    view?.destroy();
    view = null;
    clear(results);
    count.textContent = '';
    duration.textContent = '';
    results.appendChild(loading('Running…'));
    runButton.disabled = true;
    results.setAttribute('aria-busy', 'true');
    try {
      const res = await api.query(q, undefined, controller.signal);
      if (controller.signal.aborted) return;
      clear(results);
      view = showResults(res, count, results, api);
      if (typeof res.durationMs === 'number') duration.textContent = `${Math.round(res.durationMs)} ms`;
    } catch (err) {
      if (isAbort(err)) return;
      clear(results);
      showQueryError(errorBox, err, q);
    } finally {
      if (inFlight === controller) {
        runButton.disabled = false;
        results.removeAttribute('aria-busy');
        inFlight = null;
      }
    }
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void run(input.value);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void run(input.value);
    }
  });

  if (fromLink && fromLink.trim()) void run(fromLink);
  else input.focus();
}

function showQueryError(box: HTMLElement, err: unknown, q: string): void {
  clear(box);
  box.hidden = false;
  if (err instanceof ApiError && err.code === 'query') {
    const line = Number(err.body.line);
    const column = Number(err.body.column);
    box.appendChild(h('p', { class: 'error-message' }, err.message));
    if (Number.isInteger(line) && line >= 1 && Number.isInteger(column) && column >= 1) {
      box.appendChild(h('p', { class: 'error-where' }, `Line ${line}, column ${column}`));
      box.appendChild(h('pre', { class: 'error-caret', id: 'query-error-caret' }, caretText(q, line, column)));
    } else {
      box.appendChild(h('pre', { class: 'error-caret' }, q));
    }
    return;
  }
  if (err instanceof ApiError && err.code === 'timeout') {
    box.appendChild(h('p', { class: 'error-message' }, `Timed out: ${err.message}`));
    return;
  }
  box.appendChild(h('p', { class: 'error-message' }, errorMessage(err)));
}

/** The query's lines with a line holding `^` under the 1-based column, right after the error line. */
export function caretText(q: string, line: number, column: number): string {
  const lines = q.split(/\r?\n/);
  const idx = Math.min(line, lines.length) - 1;
  const target = lines[idx] ?? '';
  // Keep tabs in the caret line so it lines up under tab-indented text.
  const lead = target.slice(0, Math.max(0, column - 1)).replace(/[^\t]/g, ' ');
  const padding = lead.length < column - 1 ? lead + ' '.repeat(column - 1 - lead.length) : lead;
  const out = [...lines.slice(0, idx + 1), `${padding}^`, ...lines.slice(idx + 1)];
  return out.join('\n');
}

function showResults(res: QueryResult, count: HTMLElement, results: HTMLElement, api: Api): GraphView | null {
  const rows = res.rows ?? [];
  const total = typeof res.total === 'number' ? res.total : rows.length;
  count.textContent = res.truncated
    ? `${rows.length} of ${total} rows (cut at the row limit)`
    : `${rows.length} ${rows.length === 1 ? 'row' : 'rows'}`;

  const tabTable = h('button', { type: 'button', role: 'tab', id: 'tab-table', 'aria-controls': 'panel-table', class: 'tab' }, 'Table');
  const tabGraph = h('button', { type: 'button', role: 'tab', id: 'tab-graph', 'aria-controls': 'panel-graph', class: 'tab' }, 'Graph');
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Result view' }, tabTable, tabGraph);

  const columns = res.columns ?? [];
  const panelTable = h(
    'div',
    { id: 'panel-table', role: 'tabpanel', 'aria-labelledby': 'tab-table', class: 'tab-panel' },
    rows.length ? scrollTable(resultsTable(columns, rows, 'query-table')) : h('p', { class: 'empty' }, 'No results.'),
  );
  if (!rows.length) {
    // Keep the table element present (tests and styles rely on it) even when empty.
    panelTable.appendChild(scrollTable(resultsTable(columns, [], 'query-table')));
  }

  const nodes = res.graph?.nodes ?? [];
  const edges = res.graph?.edges ?? [];
  const graphBox = h('div', { id: 'query-graph', class: 'graph-canvas', role: 'img', 'aria-label': `Graph of ${nodes.length} nodes and ${edges.length} edges` });
  const panel = h('aside', { id: 'node-panel', class: 'node-panel', 'aria-live': 'polite' });
  panel.hidden = true;
  const legend = h('ul', { class: 'legend', 'aria-label': 'Legend' });
  const panelGraph = h(
    'div',
    { id: 'panel-graph', role: 'tabpanel', 'aria-labelledby': 'tab-graph', class: 'tab-panel' },
    nodes.length ? h('div', { class: 'graph-layout' }, h('div', { class: 'graph-main' }, graphBox, legend), panel) : h('p', { class: 'empty' }, 'No entities in the result to draw.'),
  );
  if (!nodes.length) {
    graphBox.setAttribute('data-node-count', '0');
    graphBox.setAttribute('data-edge-count', '0');
    graphBox.classList.add('graph-empty');
    panelGraph.appendChild(graphBox);
  }

  append(results, tabs, h('div', { class: 'tab-panels' }, panelTable, panelGraph));

  let view: GraphView | null = null;
  const select = (which: 'table' | 'graph') => {
    const isGraph = which === 'graph';
    tabTable.setAttribute('aria-selected', String(!isGraph));
    tabGraph.setAttribute('aria-selected', String(isGraph));
    tabTable.tabIndex = isGraph ? -1 : 0;
    tabGraph.tabIndex = isGraph ? 0 : -1;
    panelTable.classList.toggle('inactive', isGraph);
    panelGraph.classList.toggle('inactive', !isGraph);
    panelTable.setAttribute('aria-hidden', String(isGraph));
    panelGraph.setAttribute('aria-hidden', String(!isGraph));
    if (isGraph) view?.resize();
  };
  tabTable.addEventListener('click', () => select('table'));
  tabGraph.addEventListener('click', () => select('graph'));
  tabs.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const toGraph = document.activeElement === tabTable;
      select(toGraph ? 'graph' : 'table');
      (toGraph ? tabGraph : tabTable).focus();
    }
  });
  select('table');

  if (nodes.length) {
    // Drawn right away (the inactive panel keeps its size off-screen), so the graph is ready when shown.
    view = drawGraph(graphBox, nodes, edges, (node) => void openNodePanel(panel, node, api));
    for (const item of view.legend) {
      const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
      swatch.style.backgroundColor = item.colour;
      legend.appendChild(h('li', {}, swatch, item.key));
    }
  }
  return view;
}

let panelRequest: AbortController | null = null;

async function openNodePanel(panel: HTMLElement, node: GraphNode, api: Api): Promise<void> {
  panelRequest?.abort();
  const controller = new AbortController();
  panelRequest = controller;
  clear(panel);
  panel.hidden = false;
  panel.setAttribute('data-key', node.id);
  const close = h('button', { type: 'button', class: 'close', 'aria-label': 'Close the panel', id: 'node-panel-close' }, '×');
  close.addEventListener('click', () => {
    panel.hidden = true;
    controller.abort();
  });
  const body = h('div', { class: 'node-panel-body' }, loading());
  append(
    panel,
    h('div', { class: 'node-panel-head' }, h('h2', {}, node.label || node.id), close),
    h('p', { class: 'node-type' }, node.type),
    body,
  );
  try {
    const res = await api.entity(node.id, controller.signal);
    if (controller.signal.aborted) return;
    clear(body);
    const link = safeHttpUrl(res.webLink) ?? safeHttpUrl(node.webLink);
    if (link) {
      const a = externalLink(link, 'Open in the JumpCloud console');
      if (a) body.appendChild(h('p', { class: 'weblink' }, a));
    }
    body.appendChild(h('p', {}, h('a', { href: `#/entity/${encodeURIComponent(node.id)}` }, 'Entity page and relationships')));
    body.appendChild(h('div', { class: 'table-wrap' }, propertyTable(res.entity ?? {}, 'node-panel-props')));
  } catch (err) {
    if (isAbort(err)) return;
    clear(body);
    const link = safeHttpUrl(node.webLink);
    if (link) {
      const a = externalLink(link, 'Open in the JumpCloud console');
      if (a) body.appendChild(h('p', { class: 'weblink' }, a));
    }
    body.appendChild(h('div', { class: 'error', role: 'alert' }, errorMessage(err)));
  }
}
