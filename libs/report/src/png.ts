import { Resvg } from '@resvg/resvg-js';

/** Rasterise an SVG document with resvg (system fonts: DejaVu/Liberation on Debian), at `scale` × its size. */
export function svgToPng(svg: string, scale = 1.5): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  });
  return resvg.render().asPng();
}
