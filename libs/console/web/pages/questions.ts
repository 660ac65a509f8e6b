import { type Question, isAbort } from '../api';
import { type PageContext } from '../context';
import { append, badge, clear, emptyState, h, loading } from '../dom';
import { errorArea, showError } from '../error-box';
import { queryHash } from '../router';

export async function renderQuestions(ctx: PageContext): Promise<void> {
  const { root, api, signal } = ctx;
  const errorBox = errorArea('questions-error');
  const summary = h('p', { id: 'questions-count', class: 'count', 'aria-live': 'polite' });
  const list = h('ul', { id: 'questions-list', class: 'questions' }, loading());
  append(root, h('h1', {}, 'Questions'), errorBox, summary, list);

  let questions: Question[];
  try {
    questions = (await api.questions(signal)).questions ?? [];
  } catch (err) {
    if (isAbort(err)) return;
    clear(list);
    showError(errorBox, err);
    return;
  }
  clear(list);
  if (!questions.length) {
    list.replaceWith(emptyState('No questions.'));
    return;
  }
  const bad = questions.filter((q) => q.status === 'BAD').length;
  summary.textContent = `${questions.length} questions, ${bad} with findings`;
  questions.forEach((q, i) => list.appendChild(questionItem(q, i)));
}

function statusBadge(q: Question): HTMLSpanElement {
  if (q.status === 'BAD') return badge(`BAD ${q.bad}`, 'bad', `${q.bad} results that indicate a problem`);
  if (q.status === 'GOOD') return badge('GOOD', 'good');
  return badge('INFO', 'info', 'Informative');
}

function questionItem(q: Question, index: number): HTMLLIElement {
  const detailsId = `question-details-${index}`;
  const toggle = h(
    'button',
    { type: 'button', class: 'question-toggle', 'data-question-id': q.id, 'aria-expanded': 'false', 'aria-controls': detailsId },
    q.title || q.id,
  );
  const details = h('div', { id: detailsId, class: 'question-details' });
  details.hidden = true;
  let filled = false;
  toggle.addEventListener('click', () => {
    const open = details.hidden !== false;
    if (open && !filled) {
      fillDetails(details, q);
      filled = true;
    }
    details.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    item.classList.toggle('open', open);
  });
  const tags = h('span', { class: 'tags' }, (q.tags ?? []).map((t) => h('span', { class: 'tag' }, t)));
  const item = h(
    'li',
    { class: `question status-${q.status.toLowerCase()}`, 'data-question-id': q.id, 'data-status': q.status },
    h('div', { class: 'question-head' }, statusBadge(q), toggle, tags),
    details,
  );
  return item;
}

function fillDetails(details: HTMLElement, q: Question): void {
  if (q.description) details.appendChild(h('p', { class: 'description' }, q.description));
  for (const query of q.queries ?? []) {
    const open = h('button', { type: 'button', class: 'open-in-query' }, 'Open in the query box');
    open.addEventListener('click', () => {
      location.hash = queryHash(query.query);
    });
    details.appendChild(
      h(
        'div',
        { class: 'question-query' },
        h(
          'p',
          { class: 'query-meta' },
          h('strong', {}, query.name || 'query'),
          ` · results are ${query.resultsAre} · ${query.total} ${query.total === 1 ? 'result' : 'results'}`,
        ),
        h('pre', { class: 'j1ql' }, query.query),
        open,
      ),
    );
  }
}
