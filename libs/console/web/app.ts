// jumpcloud-graph console: the single-page app (no framework; DOM built with createElement/textContent only).
import './app.css';
import { Api, type GraphInfo, errorMessage } from './api';
import { type PageContext } from './context';
import { append, clear, h } from './dom';
import { renderAlerts } from './pages/alerts';
import { renderEntity } from './pages/entity';
import { renderEntityList, renderEntityTypes } from './pages/entities';
import { renderQuery } from './pages/query';
import { renderQuestions } from './pages/questions';
import { renderRuns } from './pages/runs';
import { DEFAULT_HASH, type Route, parseHash } from './router';

const NAV: { page: Route['page']; href: string; text: string }[] = [
  { page: 'query', href: '#/query', text: 'Query' },
  { page: 'questions', href: '#/questions', text: 'Questions' },
  { page: 'alerts', href: '#/alerts', text: 'Alerts' },
  { page: 'runs', href: '#/runs', text: 'Runs' },
  { page: 'entities', href: '#/entities', text: 'Entities' },
];

const GRAPH_STORAGE_KEY = 'jumpcloud-graph-console.graph';

function readStoredGraph(): string | null {
  try {
    return localStorage.getItem(GRAPH_STORAGE_KEY);
  } catch {
    return null;
  }
}

function storeGraph(id: string): void {
  try {
    localStorage.setItem(GRAPH_STORAGE_KEY, id);
  } catch {
    /* storage may be unavailable */
  }
}

class App {
  private graph = 'local';
  private readonly main = h('main', { id: 'main', tabindex: '-1' });
  private readonly navLinks = new Map<Route['page'], HTMLAnchorElement>();
  private readonly graphPicker = h('div', { class: 'graph-picker', id: 'graph-picker' });
  private readonly appError = h('div', { id: 'app-error', class: 'error', role: 'alert' });
  private current: { controller: AbortController; leave: (() => void)[] } | null = null;

  constructor(private readonly host: HTMLElement) {}

  async start(): Promise<void> {
    clear(this.host);
    this.appError.hidden = true;
    const nav = h('nav', { id: 'nav', 'aria-label': 'Main' });
    const ul = h('ul');
    for (const item of NAV) {
      const a = h('a', { href: item.href, 'data-page': item.page }, item.text);
      this.navLinks.set(item.page, a);
      ul.appendChild(h('li', {}, a));
    }
    nav.appendChild(ul);
    this.graphPicker.hidden = true;
    const header = h(
      'header',
      { class: 'site-header' },
      h('a', { class: 'brand', href: '#/query', id: 'brand' }, 'jumpcloud-graph console'),
      nav,
      this.graphPicker,
    );
    append(this.host, h('a', { href: '#main', class: 'skip-link', id: 'skip-link' }, 'Skip to content'), header, this.appError, this.main);
    this.host.querySelector('#skip-link')?.addEventListener('click', (e) => {
      e.preventDefault();
      this.main.focus();
    });

    await this.loadGraphs();
    window.addEventListener('hashchange', () => this.render());
    if (!location.hash || location.hash === '#' || location.hash === '#/') {
      history.replaceState(null, '', DEFAULT_HASH);
    }
    this.render();
  }

  private async loadGraphs(): Promise<void> {
    let graphs: GraphInfo[] = [];
    try {
      graphs = (await Api.graphs()).graphs ?? [];
    } catch (err) {
      this.appError.hidden = false;
      this.appError.textContent = `Could not list the graphs: ${errorMessage(err)}`;
      return;
    }
    if (!graphs.length) {
      this.appError.hidden = false;
      this.appError.textContent = 'The server lists no graphs.';
      return;
    }
    const stored = readStoredGraph();
    this.graph = graphs.some((g) => g.id === stored) ? (stored as string) : graphs[0].id;
    if (graphs.length > 1) {
      const select = h('select', { id: 'graph-select', name: 'graph' });
      for (const g of graphs) {
        select.appendChild(h('option', { value: g.id }, g.name && g.name !== g.id ? `${g.name} (${g.id})` : g.id));
      }
      select.value = this.graph;
      select.addEventListener('change', () => {
        this.graph = select.value;
        storeGraph(this.graph);
        this.render();
      });
      append(this.graphPicker, h('label', { for: 'graph-select' }, 'Graph'), select);
      this.graphPicker.hidden = false;
    }
    document.body.setAttribute('data-graph', this.graph);
  }

  private render(): void {
    if (this.current) {
      this.current.controller.abort();
      for (const fn of this.current.leave) {
        try {
          fn();
        } catch (err) {
          console.error(err);
        }
      }
    }
    const controller = new AbortController();
    const leave: (() => void)[] = [];
    this.current = { controller, leave };
    clear(this.main);

    const route = parseHash(location.hash || DEFAULT_HASH);
    const navPage = route.page === 'entity' ? 'entities' : route.page;
    for (const [page, a] of this.navLinks) {
      if (page === navPage) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.body.setAttribute('data-page', route.page);
    const page = h('div', { class: `page page-${route.page}`, id: `page-${route.page}` });
    this.main.appendChild(page);

    const ctx: PageContext = {
      api: new Api(this.graph),
      root: page,
      route,
      signal: controller.signal,
      replaceHash: (hash) => {
        if (location.hash !== hash) history.pushState(null, '', hash);
      },
      onLeave: (fn) => leave.push(fn),
    };
    const titles: Record<Route['page'], string> = {
      query: 'Query',
      questions: 'Questions',
      alerts: 'Alerts',
      runs: 'Runs',
      entities: route.arg ?? 'Entities',
      entity: route.arg ?? 'Entity',
      'not-found': 'Not found',
    };
    document.title = `${titles[route.page]} · jumpcloud-graph console`;

    const done = (p: Promise<void> | void) => {
      if (p) p.catch((err: unknown) => console.error(err));
    };
    switch (route.page) {
      case 'query':
        return done(renderQuery(ctx));
      case 'questions':
        return done(renderQuestions(ctx));
      case 'alerts':
        return done(renderAlerts(ctx));
      case 'runs':
        return done(renderRuns(ctx));
      case 'entities':
        return done(route.arg ? renderEntityList(ctx, route.arg) : renderEntityTypes(ctx));
      case 'entity':
        return done(renderEntity(ctx, route.arg ?? ''));
      default:
        append(page, h('h1', {}, 'Not found'), h('p', {}, 'No page at this address. '), h('p', {}, h('a', { href: DEFAULT_HASH }, 'Go to the query page')));
    }
  }
}

function boot(): void {
  const host = document.getElementById('app') ?? document.body;
  void new App(host).start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
