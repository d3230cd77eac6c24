// The setup forms' script: keys proposed from names as they are typed, and capability tags added or removed by
// choosing them. The forms work without it: a key left empty is proposed by the server on the next post.
(() => {
  'use strict';

  // The same rule as Vocabulary.Slug on the server: ASCII letters and digits, words joined by single hyphens.
  const slug = text => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64).replace(/-+$/, '');

  for (const key of document.querySelectorAll('input[data-slug-from]')) {
    const name = document.getElementById(key.dataset.slugFrom);
    if (!name) continue;
    // A key the chair typed (or one the server kept) is the chair's; only an empty or proposed key follows the name.
    let proposed = key.value === '' ? '' : null;
    name.addEventListener('input', () => {
      if (proposed === null || key.value !== proposed) return;
      proposed = slug(name.value);
      key.value = proposed;
    });
    key.addEventListener('input', () => { proposed = key.value === '' ? '' : null; });
  }

  const separators = /[\s,;]+/;
  for (const picker of document.querySelectorAll('[data-tags-for]')) {
    const field = document.getElementById(picker.dataset.tagsFor);
    if (!field) continue;
    const chosen = () => field.value.split(separators).filter(t => t !== '');
    const show = () => {
      const tags = new Set(chosen());
      for (const chip of picker.querySelectorAll('[data-tag]')) chip.setAttribute('aria-pressed', tags.has(chip.dataset.tag) ? 'true' : 'false');
    };
    picker.addEventListener('click', event => {
      const chip = event.target.closest('[data-tag]');
      if (!chip) return;
      const tags = chosen();
      const at = tags.indexOf(chip.dataset.tag);
      if (at >= 0) tags.splice(at, 1); else tags.push(chip.dataset.tag);
      field.value = tags.join(' ');
      show();
    });
    field.addEventListener('input', show);
    show();
  }
})();
