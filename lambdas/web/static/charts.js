// Draws the charts described by <script type="application/json" class="chart-data"> blocks.
