// What the map's markers mean, drawn with the same shapes (so colour is never the only key).

/** The key under the map: here, presumed here (no check-in), on the way, over time. */
export function MapLegend() {
  return (
    <ul class="legend" aria-label="Map key">
      <li>
        <svg viewBox="0 0 36 36" class="legend__icon" aria-hidden="true">
          <g class="marker marker--here">
            <circle class="marker__dot" cx="18" cy="18" r="14" />
          </g>
        </svg>
        At the place
      </li>
      <li>
        <svg viewBox="0 0 36 36" class="legend__icon" aria-hidden="true">
          <g class="marker marker--here marker--presumed">
            <circle class="marker__dot" cx="18" cy="18" r="14" />
          </g>
        </svg>
        Presumed there (no check-in, walk over)
      </li>
      <li>
        <svg viewBox="0 0 36 36" class="legend__icon" aria-hidden="true">
          <g class="marker marker--coming">
            <circle class="marker__dot" cx="18" cy="18" r="14" />
          </g>
        </svg>
        On the way
      </li>
      <li>
        <svg viewBox="0 0 36 36" class="legend__icon" aria-hidden="true">
          <g class="marker marker--here marker--over">
            <circle class="marker__dot" cx="16" cy="20" r="13" />
            <g class="marker__flag">
              <circle cx="26" cy="10" r="8" />
              <text x="26" y="15" text-anchor="middle">
                !
              </text>
            </g>
          </g>
        </svg>
        Over time
      </li>
    </ul>
  );
}
