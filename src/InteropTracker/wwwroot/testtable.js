// The results page at the test table: keyboard verdicts, moving on to the next untested case, counts that change in
// place and the peer's entries arriving live. Without this script the page still logs every verdict by a form post.
(() => {
  'use strict';

  const pairing = document.querySelector('[data-pairing]');
  if (!pairing) return;
  const lists = pairing.querySelector('[data-case-lists]');
  const help = document.getElementById('keys-help');
  const liveNote = pairing.querySelector('[data-live-note]');
  const pollSeconds = 4;

  const allRows = () => [...pairing.querySelectorAll('[data-case-row]')];
  const shown = row => row.getClientRects().length > 0;
  const rows = () => allRows().filter(shown);
  const rowOf = el => el && el.closest ? el.closest('[data-case-row]') : null;
  const isUntested = row => row.classList.contains('case--untested');

  // The case last worked on, by id (its element is swapped after each save): where "Next untested case" starts from.
  let lastRowId = null;
  pairing.addEventListener('focusin', event => { const row = rowOf(event.target); if (row) lastRowId = row.id; });

  function focusRow(row) {
    if (!row) return;
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: 'nearest' });
  }

  function step(from, by) {
    const list = rows();
    if (list.length === 0) return null;
    const at = from ? list.indexOf(from) : -1;
    if (at < 0) return by > 0 ? list[0] : list[list.length - 1];
    return list[Math.min(list.length - 1, Math.max(0, at + by))];
  }

  function nextUntested(from) {
    const list = rows();
    const at = from ? list.indexOf(from) : -1;
    return [...list.slice(at + 1), ...list.slice(0, Math.max(at, 0))].find(isUntested) || null;
  }

  function setVerdict(row, key) {
    const button = row && row.querySelector('.verdict-buttons button[data-key="' + key + '"]');
    if (button && !button.disabled) button.click();
  }

  document.addEventListener('keydown', event => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.target;
    if (target.closest && target.closest('input, textarea, select, [contenteditable], dialog')) return;
    const row = rowOf(document.activeElement);
    switch (event.key) {
      case '?': if (help) { help.showModal(); } break;
      case 'j': focusRow(step(row, 1)); break;
      case 'k': focusRow(step(row, -1)); break;
      case 'u': focusRow(nextUntested(row)); break;
      case 'p': case 'f': case 'n': case 'b': setVerdict(row, event.key); break;
      case 'Enter':
        if (row && target === row) {
          const more = row.querySelector('details.case__more');
          more.open = !more.open;
          if (more.open) more.querySelector('summary').focus();
          break;
        }
        return;
      default: return;
    }
    event.preventDefault();
  });

  // These buttons need the script: they are hidden until it runs.
  for (const opener of pairing.querySelectorAll('[data-keys-help-open]')) {
    opener.hidden = false;
    opener.addEventListener('click', () => help && help.showModal());
  }
  for (const next of pairing.querySelectorAll('[data-next-untested]')) {
    next.hidden = false;
    next.addEventListener('click', () => focusRow(nextUntested(lastRowId && document.getElementById(lastRowId))));
  }

  // "Untested only" filters in place; the address keeps the choice for a reload or a shared link.
  const toggle = document.querySelector('[data-untested-toggle]');
  const allDone = pairing.querySelector('[data-all-done]');
  function showAllDone() {
    if (allDone) allDone.hidden = !lists.classList.contains('only-untested') || allRows().some(isUntested);
  }
  if (toggle) {
    toggle.addEventListener('change', () => {
      lists.classList.toggle('only-untested', toggle.checked);
      for (const kept of lists.querySelectorAll('[data-keep]')) kept.removeAttribute('data-keep');
      const url = new URL(location.href);
      if (toggle.checked) url.searchParams.set('untested', 'true'); else url.searchParams.delete('untested');
      history.replaceState(null, '', url);
      showAllDone();
    });
  }

  // A verdict saved in place: keep its row on show, move on to the next untested case, and refresh the counts now.
  pairing.addEventListener('interop:swapped', event => {
    const row = rowOf(event.target);
    if (!row) return;
    row.setAttribute('data-keep', '');
    if (event.detail.ok && event.detail.submitter && event.detail.submitter.startsWith('verdict=')) {
      focusRow(nextUntested(row) || row);
    }
    poll();
  });

  function count(name, value) {
    for (const el of pairing.querySelectorAll('[data-count="' + name + '"]')) el.textContent = String(value);
  }

  const say = text => { if (liveNote) liveNote.textContent = text; };
  let stopped = false;
  let polling = false;

  // The other side's entries: the live answer's signatures tell which rows changed; only those are fetched again.
  async function poll() {
    if (stopped || polling) return;
    polling = true;
    try {
      const response = await fetch(pairing.dataset.liveUrl, { headers: { 'X-Requested-With': 'fetch' }, cache: 'no-store' });
      if (response.redirected) { stopped = true; say('Live updates stopped: you are signed out. Reload to sign in again.'); return; }
      if (!response.ok) { say('Live update failed (HTTP ' + response.status + '); retrying.'); return; }
      const live = await response.json();
      for (const name of ['planned', 'logged', 'untested', 'mandatoryUntested', 'disagreements']) count(name, live[name]);
      const differ = pairing.querySelector('[data-differ-note]');
      if (differ) differ.hidden = live.disagreements === 0;
      const peer = document.getElementById('peer');
      if (peer) {
        for (const p of live.peers) {
          const option = [...peer.options].find(o => o.value === p.key);
          if (option && option.textContent !== p.label) option.textContent = p.label;
        }
      }
      // A row being typed in or saved is left alone: the user's text is not swapped away under them.
      const typing = document.activeElement && document.activeElement.matches('input, textarea') ? rowOf(document.activeElement) : null;
      const changed = allRows().filter(row => row.id in live.cells && row.dataset.signature !== live.cells[row.id]
        && row !== typing && row.getAttribute('aria-busy') !== 'true');
      if (changed.length > 0) await swapRows(changed);
      showAllDone();
      say('Live · checked ' + new Date().toLocaleTimeString());
    } catch {
      say('Live update failed: the server is not reachable; retrying.');
    } finally {
      polling = false;
    }
  }

  async function swapRows(changed) {
    const url = new URL(pairing.dataset.rowsUrl, location.href);
    url.searchParams.set('ids', changed.map(row => row.id).join(','));
    const response = await fetch(url, { headers: { 'X-Requested-With': 'fetch' }, cache: 'no-store' });
    if (!response.ok || !response.headers.get('X-Fragment')) return;
    const holder = document.createElement('ul');
    holder.innerHTML = await response.text();
    for (const fresh of [...holder.children]) {
      const old = document.getElementById(fresh.id);
      if (!old) continue;
      const hadFocus = old.contains(document.activeElement);
      const wasOpen = old.querySelector('details.case__more')?.open;
      if (old.hasAttribute('data-keep')) fresh.setAttribute('data-keep', '');
      fresh.classList.add('case--arrived');
      if (wasOpen) fresh.querySelector('details.case__more').open = true;
      old.replaceWith(fresh);
      if (hadFocus) fresh.focus({ preventScroll: true });
    }
  }

  setInterval(() => { if (!document.hidden) poll(); }, pollSeconds * 1000);
})();
