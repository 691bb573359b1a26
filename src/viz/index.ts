/**
 * Charts for the CLI and for browsers: SVG line charts and heatmaps, and text tables for the
 * terminal. (writeChart, which needs node:fs, lives in ./write.js and is not re-exported here.)
 */
export { lineChart, type LineChartOptions, type LineSeries, type Point } from "./line-chart.js";
export { heatmap, visibleToken, type HeatmapOptions, type MatrixInput } from "./heatmap.js";
export { textTable, barTable, displayWidth, type Cell, type TextTableOptions, type BarTableOptions } from "./table.js";
export { linearScale, logScale, niceStep, formatTick, formatValue, type Scale, type ScaleType, type Tick } from "./scale.js";
export { SERIES_COLORS, colorAt, type ColorMapName, type MarkerShape } from "./palette.js";
export { escapeXml } from "./svg.js";
