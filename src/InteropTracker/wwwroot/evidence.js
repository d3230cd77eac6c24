// A result's evidence on the pairing page (Pages/Events/_Evidence.cshtml): lists the files from the API and takes files
// dropped on the zone (or chosen), one post each through the evidence page's form, with its antiforgery field. Without
// this script the zone is a plain form and the "Evidence" link leads to the files.
(() => {
  'use strict';

  const size = bytes => bytes < 1024 ? `${bytes} B` : bytes < 1048576 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1048576).toFixed(1)} MB`;

  async function list(slot) {
    const into = slot.querySelector('[data-evidence-files]');
    const response = await fetch(slot.dataset.evidenceListUrl, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (!response.ok) return;
    const files = await response.json();
    into.replaceChildren(...files.map(file => {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = `${slot.dataset.evidenceListUrl}/${file.n}`;
      link.textContent = file.name;
      link.setAttribute('download', '');
      item.append(link, ` · ${size(file.size)}`);
      return item;
    }));
  }

  async function attach(slot, form, files) {
    const status = form.querySelector('[data-evidence-status]');
    const say = (text, error) => { status.textContent = text; status.classList.toggle('is-error', error); };
    const token = form.querySelector('input[name="__RequestVerificationToken"]').value;
    const said = [];
    let failed = false;
    for (const file of files) {
      say(`Attaching ${file.name}…`, false);
      const body = new FormData();
      body.append('__RequestVerificationToken', token);
      body.append('file', file, file.name);
      try {
        const response = await fetch(form.action, { method: 'POST', body, headers: { 'X-Requested-With': 'fetch' } });
        const answer = response.headers.get('Content-Type')?.includes('json') ? await response.json() : null;
        const message = answer?.message || (response.status === 413 ? `${file.name} is over the size limit.` : `${file.name} was not attached (${response.status}).`);
        failed ||= !response.ok;
        said.push(message);
      } catch {
        failed = true;
        said.push(`${file.name} was not attached: the connection failed.`);
      }
    }
    say(said.join(' '), failed);
    await list(slot);
  }

  for (const slot of document.querySelectorAll('[data-evidence]')) {
    list(slot);
    const form = slot.querySelector('[data-evidence-drop]');
    if (!form) continue;
    const input = form.querySelector('input[type=file]');
    form.addEventListener('submit', event => {
      event.preventDefault();
      if (input.files.length > 0) attach(slot, form, [...input.files]).then(() => { input.value = ''; });
    });
    input.addEventListener('change', () => { if (input.files.length > 0) attach(slot, form, [...input.files]).then(() => { input.value = ''; }); });
    for (const type of ['dragenter', 'dragover']) {
      form.addEventListener(type, event => { event.preventDefault(); form.classList.add('is-over'); });
    }
    form.addEventListener('dragleave', () => form.classList.remove('is-over'));
    form.addEventListener('drop', event => {
      event.preventDefault();
      form.classList.remove('is-over');
      if (event.dataTransfer?.files.length) attach(slot, form, [...event.dataTransfer.files]);
    });
  }
})();
