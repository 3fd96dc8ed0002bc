export { COLUMNS, UNCERTAINTY_SERIES, epochRow, epochRows, findUncertainty, uncertaintySummary, type EpochRow, type UncertaintyKey } from './epoch-rows';
export { metricsCsv, metricsJson, type SoftwareVersion } from './tables';
export { accuracyFigure } from './accuracy-figure';
export { tradeoffFigure } from './tradeoff-figure';
export { heatmapFigure, epochWithMaps } from './heatmap-figure';
export { figure1, figure1A, figure1B, figure1C, figure1D, combineFigure1, chooseRegionEpochs, type FigurePart } from './embedding-figure';
export { svgToPng } from './png';
export { FIGURE_STEMS, reportFigures, writeReport, type FigureStem, type ReportFile, type ReportOptions } from './write-report';
