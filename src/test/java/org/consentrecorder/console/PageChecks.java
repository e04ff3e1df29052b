package org.consentrecorder.console;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks a rendered page in the browser: WCAG 2.1 AA text contrast (1.4.3: 4.5:1, 3:1 for large
 * text) computed from the colours the browser resolved, a label for every form control and a name
 * for every button (1.3.1, 4.1.2), no positive tabindex (focus order follows the page, 2.4.3), and
 * no sideways scrolling of the page (1.4.10 at the sizes tested).
 */
final class PageChecks {
    private static final String SCRIPT = """
            const problems = [];
            const parse = (c) => {
              const m = c.match(/rgba?\\(([^)]+)\\)/);
              if (!m) return null;
              const p = m[1].split(',').map((x) => parseFloat(x));
              return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
            };
            const over = (top, under) => ({
              r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
              b: top.b * top.a + under.b * (1 - top.a), a: 1});
            const background = (el) => {
              const layers = [];
              for (let e = el; e; e = e.parentElement) {
                const c = parse(getComputedStyle(e).backgroundColor);
                if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
              }
              let result = {r: 255, g: 255, b: 255, a: 1};
              for (let i = layers.length - 1; i >= 0; i--) result = over(layers[i], result);
              return result;
            };
            const lum = (c) => {
              const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
              return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
            };
            const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
            for (const el of document.body.querySelectorAll('*')) {
              if (el.closest('svg') || el.closest('[hidden]') || el.closest('.visually-hidden')) continue;
              const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
              const isField = el.matches('input:not([type=checkbox]):not([type=radio]), select, textarea');
              if (!hasText && !isField) continue;
              if (el.closest(':disabled') || el.matches(':disabled')) continue;
              const rect = el.getBoundingClientRect();
              if (rect.width === 0 || rect.height === 0) continue;
              const style = getComputedStyle(el);
              if (style.visibility === 'hidden' || parseFloat(style.opacity) === 0) continue;
              const fg = parse(style.color);
              const bg = background(el);
              const size = parseFloat(style.fontSize);
              const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
              const r = ratio(fg.a < 1 ? over(fg, bg) : fg, bg);
              if (r < (large ? 3 : 4.5)) {
                problems.push('contrast ' + r.toFixed(2) + ' for "' + (el.textContent || el.value || '').trim().slice(0, 40)
                    + '" (' + el.tagName.toLowerCase() + ', ' + style.color + ' on rgb(' + [bg.r, bg.g, bg.b].map(Math.round) + '))');
              }
            }
            for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
              if (el.closest('[hidden]')) continue;
              if (el.labels.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) {
                problems.push('no label for ' + el.tagName.toLowerCase() + ' name=' + el.name + ' id=' + el.id);
              }
            }
            for (const el of document.querySelectorAll('button, a[href]')) {
              if (el.closest('[hidden]')) continue;
              if (el.textContent.trim() === '' && !el.getAttribute('aria-label')) {
                problems.push('no accessible name for ' + el.outerHTML.slice(0, 80));
              }
            }
            for (const el of document.querySelectorAll('[tabindex]')) {
              if (el.tabIndex > 0) problems.push('positive tabindex on ' + el.tagName.toLowerCase());
            }
            if (document.documentElement.scrollWidth > document.documentElement.clientWidth + 1) {
              problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > '
                  + document.documentElement.clientWidth);
            }
            return problems;
            """;

    private PageChecks() {
    }

    static List<String> run(ConsoleBrowser browser) {
        Object result = browser.script(SCRIPT);
        List<String> out = new ArrayList<>();
        if (result instanceof List<?> list) {
            list.forEach(o -> out.add(String.valueOf(o)));
        }
        return out;
    }
}
