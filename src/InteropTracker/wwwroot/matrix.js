// The event matrix, drawn from the compact JSON the page carries (see Matrix/MatrixGrid.cs): one element per cell, a
// colour step and the pass rate printed in each, the figures of the cell under the pointer or the keyboard shown below
// it, arrow keys to move, Enter to open a cell's page. While the event is open it asks for the cells changed since the
// version it holds. The same script draws the public page's anonymised matrix (no cell pages there).
(() => {
  'use strict';

  const data = document.getElementById('matrix-data');
  const table = document.querySelector('[data-matrix]');
  const detail = document.getElementById('matrix-detail');
  const search = document.querySelector('[data-search]');
  const fetchHeaders = { 'X-Requested-With': 'fetch' };

  // Filters apply as soon as one is chosen (the Apply button stays for keyboard users and pages without this script).
  for (const select of document.querySelectorAll('[data-autosubmit]')) {
    select.addEventListener('change', () => {
      // A narrower filter chosen under another plan or section no longer applies.
      const form = select.form;
      if (select.name === 'plan') { form.elements.section.value = ''; form.elements.case.value = ''; }
      if (select.name === 'section') form.elements.case.value = '';
      form.requestSubmit();
    });
  }

  if (!data || !table) return;
  let grid = JSON.parse(data.textContent);
  const cellUrl = table.dataset.cellUrl || null;
  const pair = grid.view === 'pair';

  // Five numbers per cell: planned, pass, fail, n/a, blocked; the JSON gives 0 alone for a cell with nothing planned.
  function unpack(list, n) {
    const cells = new Int32Array(n * n * 5);
    let k = 0;
    for (let c = 0; c < n * n; c++) {
      const planned = list[k++];
      if (planned === 0) continue;
      cells.set([planned, list[k], list[k + 1], list[k + 2], list[k + 3]], c * 5);
      k += 4;
    }
    return cells;
  }

  let products, n, cells, visible;
  function take(whole) {
    products = whole.products.map(p => ({ key: p[0], name: p[1], organization: p[2] }));
    n = products.length;
    cells = unpack(whole.cells, n);
    visible = products.map((_, i) => i);
  }
  take(grid);

  const steps = [[0.5, 0], [0.7, 1], [0.8, 2], [0.85, 3], [0.9, 4], [0.95, 5], [0.98, 6], [1, 7]];
  function step(pass, executed) {
    if (pass === executed) return 8;
    const rate = pass / executed;
    for (const [below, s] of steps) if (rate < below) return s;
    return 7;
  }
  const percent = (pass, executed) => executed === 0 ? '–' : String(Math.floor(100 * pass / executed));
  const escape = text => text.replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

  function tally(at) {
    return { planned: cells[at], pass: cells[at + 1], fail: cells[at + 2], na: cells[at + 3], blocked: cells[at + 4] };
  }
  function add(sum, t) {
    sum.planned += t.planned; sum.pass += t.pass; sum.fail += t.fail; sum.na += t.na; sum.blocked += t.blocked;
  }
  const empty = () => ({ planned: 0, pass: 0, fail: 0, na: 0, blocked: 0 });

  function cellHtml(t, cls) {
    if (t.planned === 0) return '<td class="rate-void" tabindex="-1"></td>';
    const executed = t.pass + t.fail;
    if (executed === 0) return '<td class="rate-none' + cls + '" tabindex="-1">○</td>';
    return '<td class="rate-' + step(t.pass, executed) + cls + '" tabindex="-1">' + percent(t.pass, executed) + '</td>';
  }

  function totals() {
    const rows = products.map(empty), columns = products.map(empty), all = empty();
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const t = tally((i * n + j) * 5);
        if (t.planned === 0) continue;
        add(rows[i], t); add(columns[j], t);
        if (!pair || i <= j) add(all, t);
      }
    }
    return { rows, columns, all };
  }

  // A large matrix draws only the rows in and near its box (the browser lays out a few thousand cells, not tens of
  // thousands); the table says how many rows it has (aria-rowcount) and each drawn row which it is (aria-rowindex).
  const windowed = () => visible.length > 80;
  const wrap = table.parentElement;
  let sums = null, drawn = [0, 0], rowHeight = 30;

  function range() {
    if (!windowed()) return [0, visible.length];
    const head = table.tHead ? table.tHead.offsetHeight : 0;
    const top = Math.max(0, Math.floor((wrap.scrollTop - head) / rowHeight) - 5);
    return [top, Math.min(visible.length, top + Math.ceil(wrap.clientHeight / rowHeight) + 12)];
  }

  function rowHtml(r) {
    const i = visible[r], p = products[i];
    const html = ['<tr data-r="', r, '" aria-rowindex="', r + 2, '"><th scope="row" title="', escape(p.name + ' · ' + p.organization), '">', escape(p.name), '</th>'];
    for (const j of visible) html.push(i === j ? '<td class="rate-self" tabindex="-1"></td>' : cellHtml(tally((i * n + j) * 5), ''));
    html.push(cellHtml(sums.rows[i], ' total'), '</tr>');
    return html.join('');
  }

  function spacer(rows) {
    return rows > 0 ? '<tr class="spacer" aria-hidden="true"><td colspan="' + (visible.length + 2) + '" style="height:' + rows * rowHeight + 'px"></td></tr>' : '';
  }

  function drawBody() {
    const [from, to] = range();
    const body = [spacer(from)];
    for (let r = from; r < to; r++) body.push(rowHtml(r));
    body.push(spacer(visible.length - to));
    if (!pair && to === visible.length) {
      body.push('<tr data-r="all" aria-rowindex="', visible.length + 2, '"><th scope="row" class="total">All</th>');
      for (const j of visible) body.push(cellHtml(sums.columns[j], ' total'));
      body.push(cellHtml(sums.all, ' total'), '</tr>');
    }
    const focused = table.contains(document.activeElement) ? document.activeElement : null;
    const place = focused ? [focused.parentElement.dataset.r, focused.cellIndex] : null;
    table.tBodies[0].innerHTML = body.join('');
    drawn = [from, to];
    const again = place && table.querySelector('tr[data-r="' + place[0] + '"]')?.cells[place[1]];
    const current = again || table.querySelector('tbody td[tabindex]');
    if (current) current.tabIndex = 0;
    if (again) again.focus({ preventScroll: true });
  }

  function draw() {
    sums = totals();
    const head = ['<thead><tr aria-rowindex="1"><th scope="col" class="corner">', pair ? 'product' : 'initiator ↓ responder →', '</th>'];
    for (const j of visible) {
      const p = products[j];
      head.push('<th scope="col" class="col-head" title="', escape(p.name + ' · ' + p.organization), '"><span>', escape(p.name), '</span></th>');
    }
    head.push('<th scope="col" class="col-head total"><span>All</span></th></tr></thead><tbody></tbody>');
    const caption = table.querySelector('caption');
    table.innerHTML = head.join('');
    if (caption) table.prepend(caption);
    table.setAttribute('aria-rowcount', String(visible.length + (pair ? 1 : 2)));
    // A fixed table layout sizes columns from the first row alone, not from every cell.
    table.style.setProperty('--columns', String(visible.length + 1));
    drawBody();
    const rows = table.tBodies[0].querySelectorAll('tr[data-r]');
    if (windowed() && rows.length > 1 && Math.abs(rows[1].offsetTop - rows[0].offsetTop - rowHeight) > 1) {
      rowHeight = rows[1].offsetTop - rows[0].offsetTop;
      drawBody();
    }
    table.dataset.ready = String(visible.length);
  }

  let pending = false;
  wrap.addEventListener('scroll', () => {
    if (!windowed() || pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const [from, to] = range();
      if (from < drawn[0] || to > drawn[1] || from > drawn[0] + 5) drawBody();
    });
  }, { passive: true });

  /** The drawn row r, drawing the rows around it first when it is not drawn. */
  function drawnRow(r) {
    if (r === 'all' || (r >= drawn[0] && r < drawn[1])) return table.querySelector('tr[data-r="' + r + '"]');
    const head = table.tHead.offsetHeight;
    wrap.scrollTop = Math.max(0, head + r * rowHeight - wrap.clientHeight / 2);
    drawBody();
    return table.querySelector('tr[data-r="' + r + '"]');
  }

  // What a cell is: the products it joins (or a total), its numbers in words.
  function describe(td) {
    const row = td.parentElement, c = td.cellIndex - 1;
    const i = row.dataset.r === 'all' ? undefined : visible[Number(row.dataset.r)], j = visible[c];
    const sums = (i === undefined || j === undefined) ? totals() : null;
    let who, t;
    if (i === undefined && j === undefined) { who = grid.technology + ' overall'; t = sums.all; }
    else if (i === undefined) { who = products[j].name + ' as responder'; t = sums.columns[j]; }
    else if (j === undefined) { who = products[i].name + (pair ? ' in every pairing' : ' as initiator'); t = sums.rows[i]; }
    else if (i === j) return { text: products[i].name + ': the same product' };
    else { who = products[i].name + (pair ? ' and ' : ' → ') + products[j].name; t = tally((i * n + j) * 5); }
    if (t.planned === 0) return { text: who + ': ' + (grid.anonymised ? 'nothing logged' : 'nothing planned') };
    const executed = t.pass + t.fail;
    const rate = executed === 0 ? 'nothing executed' : t.pass + ' of ' + executed + ' executed passed (' + percent(t.pass, executed) + ' %)';
    const untested = grid.anonymised ? '' : ', ' + (t.planned - t.pass - t.fail - t.na - t.blocked) + ' of ' + t.planned + ' untested';
    const text = who + ': ' + rate + ', ' + t.fail + ' failed, ' + t.na + ' not applicable, ' + t.blocked + ' blocked' + untested;
    const open = (i !== undefined && j !== undefined && cellUrl) ? cellUrl + '?a=' + encodeURIComponent(products[i].key) +
      '&b=' + encodeURIComponent(products[j].key) + '&technology=' + encodeURIComponent(grid.technology) + (pair ? '&view=pair' : '') : null;
    return { text, open };
  }

  function show(td) {
    if (!td.parentElement.dataset.r) return {};
    const about = describe(td);
    td.title = about.text;
    td.setAttribute('aria-label', about.text);
    if (detail) detail.textContent = about.text + (about.open ? ' · Enter or click opens its cases.' : '');
    return about;
  }

  table.addEventListener('mouseover', event => {
    const td = event.target.closest('td');
    if (td && table.contains(td)) show(td);
  });
  table.addEventListener('focusin', event => {
    const td = event.target.closest('td');
    if (td) show(td);
  });
  table.addEventListener('click', event => {
    const td = event.target.closest('td');
    if (!td) return;
    const about = show(td);
    if (about.open) window.location.href = about.open;
  });
  table.addEventListener('keydown', event => {
    const td = event.target.closest('td');
    if (!td || !td.parentElement.dataset.r) return;
    const row = td.parentElement;
    let target = null;
    switch (event.key) {
      case 'ArrowRight': target = td.nextElementSibling; break;
      case 'ArrowLeft': target = td.previousElementSibling; break;
      case 'ArrowDown': case 'ArrowUp': {
        const r = row.dataset.r === 'all' ? visible.length : Number(row.dataset.r);
        const next = r + (event.key === 'ArrowDown' ? 1 : -1);
        if (next < 0 || next > visible.length || (next === visible.length && pair)) break;
        target = drawnRow(next === visible.length ? 'all' : next)?.cells[td.cellIndex];
        break;
      }
      case 'Home': target = row.cells[1]; break;
      case 'End': target = row.cells[row.cells.length - 1]; break;
      case 'Enter': case ' ': {
        const about = show(td);
        if (about.open) window.location.href = about.open;
        event.preventDefault();
        return;
      }
      default: return;
    }
    event.preventDefault();
    if (!target || target.tagName !== 'TD') return;
    td.tabIndex = -1;
    target.tabIndex = 0;
    show(target);
    target.focus();
  });

  // Search: the matrix keeps the products whose name, key or vendor match; the page's lists keep the rows that do.
  function applySearch() {
    const words = (search?.value || '').trim().toLowerCase();
    visible = products.map((_, i) => i).filter(i => {
      if (!words) return true;
      const p = products[i];
      return (p.name + ' ' + p.key + ' ' + p.organization).toLowerCase().includes(words);
    });
    if (words && visible.length === 0) visible = products.map((_, i) => i);
    draw();
    for (const row of document.querySelectorAll('[data-searchable] tbody tr')) {
      row.hidden = words.length > 0 && !row.textContent.toLowerCase().includes(words);
    }
  }
  if (search) {
    search.addEventListener('input', applySearch);
  }
  applySearch();

  // The failed and disputed results, loaded after the matrix is drawn.
  const problems = document.querySelector('[data-problems-url]');
  async function loadProblems() {
    if (!problems) return;
    try {
      const response = await fetch(problems.dataset.problemsUrl, { headers: fetchHeaders, cache: 'no-store' });
      if (!response.ok || response.redirected) return;
      const holder = problems.querySelector('[data-problems-placeholder], [data-problems-loaded]');
      const html = await response.text();
      const next = document.createElement('div');
      next.innerHTML = html;
      holder.replaceWith(next.firstElementChild);
      applySearch();
    } catch {
      // The link in the placeholder still leads to the list.
    }
  }
  loadProblems();

  // Live: ask for the cells changed since this version; 204 when none did.
  const gridUrl = table.dataset.gridUrl;
  const note = document.getElementById(table.dataset.liveNote || '');
  const say = (text, state) => { if (note) { note.textContent = text; note.dataset.state = state; } };
  const seconds = Math.max(3, Number(table.dataset.refreshSeconds || 10));
  async function refresh() {
    if (!document.hidden) {
      try {
        const url = gridUrl + '&since=' + grid.version + '&stamp=' + encodeURIComponent(grid.stamp);
        const response = await fetch(url, { headers: fetchHeaders, cache: 'no-store' });
        if (response.redirected) {
          say('Live updates stopped: you are signed out. Reload the page to sign in again.', 'paused');
          return;
        }
        if (response.status === 200) {
          const next = await response.json();
          if (next.changes) {
            for (let k = 0; k < next.changes.length; k += 6) cells.set(next.changes.slice(k + 1, k + 6), next.changes[k] * 5);
            grid = Object.assign(grid, { version: next.version });
            // Same products, new numbers: the drawn rows again, focus and scroll where they were.
            sums = totals();
            drawBody();
          } else {
            // The server no longer holds this page's version (or the participants changed): the whole matrix again.
            grid = next;
            take(grid);
            applySearch();
          }
          const live = document.getElementById('live');
          const progress = await fetch(table.dataset.liveUrl, { headers: fetchHeaders, cache: 'no-store' });
          if (live && progress.ok && !progress.redirected) live.innerHTML = await progress.text();
          say('Updates every ' + seconds + ' s · last ' + new Date().toLocaleTimeString(), 'live');
        } else if (response.status !== 204) {
          say('Live update failed (HTTP ' + response.status + '); retrying.', 'paused');
        }
      } catch {
        say('Live update failed: the server is not reachable; retrying.', 'paused');
      }
    }
    setTimeout(refresh, seconds * 1000);
  }
  if (gridUrl) {
    say('Live: checks for new results every ' + seconds + ' s.', 'live');
    setTimeout(refresh, seconds * 1000);
  }
})();
