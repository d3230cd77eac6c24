// InteropTracker's page script. Every page works without it: with it, live regions refresh themselves and a
// verdict form posts in place (one click, no page load). Forms still carry their antiforgery field.
(() => {
  'use strict';

  const fetchHeaders = { 'X-Requested-With': 'fetch' };

  // A secret shown once is selected as it gets focus, ready to copy (the Content-Security-Policy allows no inline handler).
  for (const field of document.querySelectorAll('[data-select-on-focus]')) {
    field.addEventListener('focus', () => field.select());
  }

  function keepScroll(region, replace) {
    const kept = [...region.querySelectorAll('[data-keep-scroll][id]')]
      .map(el => [el.id, el.scrollLeft, el.scrollTop]);
    replace();
    for (const [id, left, top] of kept) {
      const el = document.getElementById(id);
      if (el) { el.scrollLeft = left; el.scrollTop = top; }
    }
  }

  // Regions with data-refresh-url re-fetch their own HTML every data-refresh-seconds while the tab is shown.
  for (const region of document.querySelectorAll('[data-refresh-url]')) {
    const seconds = Math.max(3, Number(region.dataset.refreshSeconds || 10));
    const note = region.dataset.refreshNote ? document.getElementById(region.dataset.refreshNote) : null;
    const say = (text, state) => { if (note) { note.textContent = text; note.dataset.state = state; } };
    let stopped = false;

    async function refresh() {
      if (stopped) return;
      if (!document.hidden && !region.contains(document.activeElement)) {
        try {
          const response = await fetch(region.dataset.refreshUrl, { headers: fetchHeaders, cache: 'no-store' });
          if (response.redirected) {
            stopped = true;
            say('Live updates stopped: you are signed out. Reload the page to sign in again.', 'paused');
            return;
          }
          if (response.ok) {
            const html = await response.text();
            keepScroll(region, () => { region.innerHTML = html; });
            say('Updates every ' + seconds + ' s · last ' + new Date().toLocaleTimeString(), 'live');
          } else {
            say('Live update failed (HTTP ' + response.status + '); retrying.', 'paused');
          }
        } catch {
          say('Live update failed: the server is not reachable; retrying.', 'paused');
        }
      }
      setTimeout(refresh, seconds * 1000);
    }
    say('Updates every ' + seconds + ' s', 'live');
    setTimeout(refresh, seconds * 1000);
  }

  function plainSubmit(form, submitter) {
    for (const button of form.querySelectorAll('button')) button.disabled = false;
    form.dataset.plain = '1';
    form.requestSubmit(submitter || undefined);
  }

  // Forms with data-enhance post in place: the element named by data-replace (an ancestor) is swapped for the
  // HTML the server answers, and focus goes back to the same control so keyboard users keep their place.
  document.addEventListener('submit', async event => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-enhance') || form.dataset.plain) return;
    const target = form.closest(form.dataset.replace || '[data-replace-target]');
    if (!target) return;
    event.preventDefault();

    const submitter = event.submitter;
    const data = new FormData(form, submitter);
    const focusName = submitter ? submitter.name + '=' + submitter.value : null;
    target.setAttribute('aria-busy', 'true');
    for (const button of form.querySelectorAll('button')) button.disabled = true;
    try {
      const response = await fetch(form.action, { method: 'POST', body: data, headers: fetchHeaders });
      // Only an answer marked as a fragment is swapped in; anything else (a refusal page, a sign-in redirect) is
      // shown the way a browser without this script would: by posting the form normally.
      if (!response.headers.get('X-Fragment')) { plainSubmit(form, submitter); return; }
      const html = await response.text();
      const holder = document.createElement('div');
      holder.innerHTML = html.trim();
      const replacement = holder.firstElementChild;
      if (!replacement) { plainSubmit(form, submitter); return; }
      target.replaceWith(replacement);
      const again = focusName && [...replacement.querySelectorAll('button')]
        .find(b => b.name + '=' + b.value === focusName);
      (again || replacement.querySelector('[data-focus-after]') || replacement).focus();
      // Page scripts that follow a swap (counts, moving on to the next case) hear of it here.
      replacement.dispatchEvent(new CustomEvent('interop:swapped', { bubbles: true, detail: { submitter: focusName, ok: response.ok } }));
    } catch {
      target.removeAttribute('aria-busy');
      for (const button of form.querySelectorAll('button')) button.disabled = false;
      const message = target.querySelector('.case__message') || document.createElement('p');
      message.className = 'case__message case__message--error';
      message.setAttribute('role', 'alert');
      message.textContent = 'Not saved: the server is not reachable. Try again.';
      target.append(message);
    }
  });
})();
