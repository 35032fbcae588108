import {
  Alert,
  Anchor,
  createTheme,
  DEFAULT_THEME,
  Notification,
  type CSSVariablesResolver,
  type MantineColorsTuple,
} from '@mantine/core';

// WCAG 2.2 AA: text needs 4.5:1 against what is behind it. Mantine's stock shades miss that
// for light badges, coloured words (`c="teal"`), outline badges, links, dimmed text and white
// text on some filled colours (2.2-4.3:1 measured), so the resolver below picks, for every
// colour and both schemes, the first shade that reaches the ratio instead of a fixed one.
const AA = 4.5;
const WHITE = '#ffffff';
const LIGHT_BODY = '#ffffff';
const DARK_BODY: string = DEFAULT_THEME.colors.dark[7];
const LIGHT_ROW: string = DEFAULT_THEME.colors.gray[1];
const DARK_ROW: string = DEFAULT_THEME.colors.dark[6];

type Rgb = [number, number, number];

function rgb(color: string): Rgb {
  const n = parseInt(color.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
}

/** `top` at `alpha` over `base`, as a browser paints a translucent background. */
function over(top: string, alpha: number, base: string): string {
  const [tr, tg, tb] = rgb(top);
  const [br, bg, bb] = rgb(base);
  const mix = (t: number, b: number) => t * alpha + b * (1 - alpha);
  return hex([mix(tr, br), mix(tg, bg), mix(tb, bb)]);
}

function luminance(color: string): number {
  const linear = (v: number) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = rgb(color);
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

export function contrast(a: string, b: string): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** First colour of `candidates` readable on every background; else `candidates`' last,
 * pushed towards `towards` until it is. */
function readable(candidates: string[], backgrounds: string[], towards: string): string {
  const ok = (c: string) => backgrounds.every((bg) => contrast(c, bg) >= AA);
  const found = candidates.find(ok);
  if (found) return found;
  let c = candidates[candidates.length - 1] ?? towards;
  for (let step = 0.05; step <= 1 && !ok(c); step += 0.05) c = over(towards, step, c);
  return c;
}

const LIGHT_SHADE = 6;
const DARK_SHADE = 8;

function colorVariables(name: string, tuple: MantineColorsTuple) {
  const shades: string[] = [...tuple];
  const at = (i: number) => shades[i] ?? WHITE;
  // Backgrounds the text sits on: the page, and the colour's own light tint over it
  // (Mantine paints `light` as the shade at 10 % in light, two shades lighter at 15 % in dark).
  // Striped and hovered table rows put the tint over gray-1 (light) or dark-6 (dark).
  const lightTints = [LIGHT_BODY, LIGHT_ROW].map((bg) => over(at(LIGHT_SHADE), 0.1, bg));
  const darkTints = [DARK_BODY, DARK_ROW].map((bg) => over(at(DARK_SHADE - 2), 0.15, bg));
  const lightText = readable(
    shades.slice(LIGHT_SHADE),
    [LIGHT_BODY, LIGHT_ROW, ...lightTints],
    '#000000',
  );
  const darkText = readable(
    [...shades.slice(0, 5)].reverse(),
    [DARK_BODY, DARK_ROW, ...darkTints],
    '#ffffff',
  );
  // White labels on filled buttons and badges.
  const lightFilled = readable(shades.slice(LIGHT_SHADE), [WHITE], '#000000');
  const darkFilled = readable(shades.slice(DARK_SHADE), [WHITE], '#000000');
  const hover = (c: string) => over('#000000', 0.12, c);
  const v = (s: string) => `--mantine-color-${name}-${s}`;
  return {
    light: {
      [v('text')]: lightText,
      [v('light-color')]: lightText,
      [v('outline')]: lightText,
      [v('filled')]: lightFilled,
      [v('filled-hover')]: hover(lightFilled),
    },
    dark: {
      [v('text')]: darkText,
      [v('light-color')]: darkText,
      [v('outline')]: darkText,
      [v('filled')]: darkFilled,
      [v('filled-hover')]: hover(darkFilled),
    },
  };
}

const PRIMARY = 'indigo';

export const cssVariablesResolver: CSSVariablesResolver = (theme) => {
  const light: Record<string, string> = {};
  const dark: Record<string, string> = {};
  for (const [name, shades] of Object.entries(theme.colors)) {
    if (!Array.isArray(shades) || shades.length < 10) continue;
    const vars = colorVariables(name, shades as MantineColorsTuple);
    Object.assign(light, vars.light);
    Object.assign(dark, vars.dark);
  }
  const gray = theme.colors.gray;
  const darkShades = theme.colors.dark;
  Object.assign(light, {
    '--mantine-color-anchor': light[`--mantine-color-${PRIMARY}-text`],
    // Secondary text sits on white and on striped or hovered rows (gray-0/1).
    '--mantine-color-dimmed': readable(
      gray.slice(6),
      [LIGHT_BODY, gray[1] ?? LIGHT_BODY],
      '#000000',
    ),
    '--mantine-color-error': light['--mantine-color-red-text'],
    '--mantine-color-placeholder': readable(gray.slice(6), [LIGHT_BODY], '#000000'),
  });
  Object.assign(dark, {
    '--mantine-color-anchor': dark[`--mantine-color-${PRIMARY}-text`],
    '--mantine-color-dimmed': readable(
      [...darkShades.slice(0, 3)].reverse(),
      [DARK_BODY, darkShades[6] ?? DARK_BODY, darkShades[5] ?? DARK_BODY],
      '#ffffff',
    ),
    '--mantine-color-error': dark['--mantine-color-red-text'],
    '--mantine-color-placeholder': readable(
      [...darkShades.slice(0, 4)].reverse(),
      [darkShades[6] ?? DARK_BODY],
      '#ffffff',
    ),
  });
  return { variables: {}, light, dark };
};

export const theme = createTheme({
  primaryColor: PRIMARY,
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  headings: { fontWeight: '650' },
  components: {
    // Links inside a sentence must not be told apart by colour alone (WCAG 1.4.1).
    Anchor: Anchor.extend({ defaultProps: { underline: 'always' } }),
    // Close buttons are icons: they need a name for screen readers.
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { 'aria-label': 'Close' } },
      // Under a title Mantine greys the message (3.3:1 on white, below AA's 4.5:1): live
      // updates' toasts carry what changed in it, so it reads as body text.
      styles: { description: { color: 'var(--mantine-color-text)' } },
    }),
    Alert: Alert.extend({ defaultProps: { closeButtonLabel: 'Close' } }),
  },
});
