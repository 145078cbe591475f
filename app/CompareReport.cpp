#include "app/CompareReport.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace safetwin {

namespace {

const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                          "#9467bd", "#8c564b", "#e377c2", "#17becf"};
const char* colour(size_t k) {
    return kPalette[k % (sizeof kPalette / sizeof *kPalette)];
}

std::string esc(const std::string& s) {
    std::string o;
    for (char c : s) {
        switch (c) {
            case '&':
                o += "&amp;";
                break;
            case '<':
                o += "&lt;";
                break;
            case '>':
                o += "&gt;";
                break;
            case '"':
                o += "&quot;";
                break;
            default:
                o += c;
        }
    }
    return o;
}

std::string f(double v, int prec = 1) {
    if (!std::isfinite(v)) return "–";
    std::ostringstream os;
    os.setf(std::ios::fixed);
    os.precision(prec);
    os << v;
    return os.str();
}

std::string ci(const Estimate& e) {
    return f(e.value) + " <small>[" + f(e.lo) + ", " + f(e.hi) + "]</small>";
}

/// Tick values covering [lo, hi] with a 1-2-5 step, about n of them.
std::vector<double> ticks(double lo, double hi, int n) {
    if (!(hi > lo)) hi = lo + 1.0;
    const double raw = (hi - lo) / n;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * mag) {
            step = m * mag;
            break;
        }
    std::vector<double> t;
    for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) t.push_back(v);
    return t;
}

/// A plot area with linear axes; maps data to SVG coordinates.
struct Axes {
    double w = 760, h = 300, l = 60, r = 20, t = 16, b = 42;
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    double X(double x) const { return l + (x - x0) / (x1 - x0) * (w - l - r); }
    double Y(double y) const { return h - b - (y - y0) / (y1 - y0) * (h - t - b); }
    std::string frame(const std::string& xlabel, const std::string& ylabel,
                      bool yTicks = true) const {
        std::ostringstream os;
        os << "<rect x='" << l << "' y='" << t << "' width='" << (w - l - r) << "' height='"
           << (h - t - b) << "' fill='none' stroke='#999'/>";
        for (double v : ticks(x0, x1, 8))
            os << "<line x1='" << X(v) << "' x2='" << X(v) << "' y1='" << t << "' y2='" << (h - b)
               << "' stroke='#eee'/><text x='" << X(v) << "' y='" << (h - b + 16)
               << "' text-anchor='middle'>" << f(v, v == std::round(v) ? 0 : 1) << "</text>";
        if (yTicks)
            for (double v : ticks(y0, y1, 5))
                os << "<line x1='" << l << "' x2='" << (w - r) << "' y1='" << Y(v) << "' y2='"
                   << Y(v) << "' stroke='#eee'/><text x='" << (l - 6) << "' y='" << (Y(v) + 4)
                   << "' text-anchor='end'>" << f(v, v == std::round(v) ? 0 : 1) << "</text>";
        os << "<text x='" << (l + (w - l - r) / 2) << "' y='" << (h - 6)
           << "' text-anchor='middle'>" << esc(xlabel) << "</text>";
        if (!ylabel.empty())
            os << "<text transform='translate(14," << (t + (h - t - b) / 2)
               << ") rotate(-90)' text-anchor='middle'>" << esc(ylabel) << "</text>";
        return os.str();
    }
};

std::string svgOpen(double w, double h) {
    std::ostringstream os;
    os << "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 " << w << ' ' << h << "' width='"
       << w << "' height='" << h << "' font-family='sans-serif' font-size='12'>";
    return os.str();
}

std::string legend(const Comparison& c, double x, double y) {
    std::ostringstream os;
    for (size_t k = 0; k < c.variants.size(); ++k) {
        os << "<rect x='" << x << "' y='" << (y + 16 * double(k) - 9)
           << "' width='12' height='10' fill='" << colour(k) << "'/><text x='" << (x + 16)
           << "' y='" << (y + 16 * double(k)) << "'>" << esc(c.variants[k].name) << "</text>";
    }
    return os.str();
}

std::string remainingPlot(const Comparison& c) {
    Axes a;
    double tmax = 1, nmax = 1;
    for (const VariantSummary& s : c.variants) {
        tmax = std::max(tmax, s.remaining_interval * double(s.remaining_hi.size()));
        for (double v : s.remaining_hi) nmax = std::max(nmax, v);
    }
    a.x1 = tmax;
    a.y1 = nmax * 1.05;
    std::ostringstream os;
    os << svgOpen(a.w, a.h) << a.frame("time (s)", "agents remaining");
    for (size_t k = 0; k < c.variants.size(); ++k) {
        const VariantSummary& s = c.variants[k];
        if (s.remaining_median.empty()) continue;
        os << "<polygon fill='" << colour(k) << "' fill-opacity='0.18' stroke='none' points='";
        for (size_t i = 0; i < s.remaining_hi.size(); ++i)
            os << a.X(s.remaining_interval * double(i)) << ',' << a.Y(s.remaining_hi[i]) << ' ';
        for (size_t i = s.remaining_lo.size(); i-- > 0;)
            os << a.X(s.remaining_interval * double(i)) << ',' << a.Y(s.remaining_lo[i]) << ' ';
        os << "'/><polyline fill='none' stroke-width='2' stroke='" << colour(k) << "' points='";
        for (size_t i = 0; i < s.remaining_median.size(); ++i)
            os << a.X(s.remaining_interval * double(i)) << ',' << a.Y(s.remaining_median[i]) << ' ';
        os << "'/>";
    }
    os << legend(c, a.w - a.r - 150, a.t + 18) << "</svg>";
    return os.str();
}

std::string distributionPlot(const Comparison& c) {
    Axes a;
    a.l = 130;
    const double row = 46;
    a.h = a.t + a.b + row * double(c.variants.size());
    double lo = INFINITY, hi = -INFINITY;
    for (const VariantSummary& s : c.variants)
        for (double t : s.times) {
            lo = std::min(lo, t);
            hi = std::max(hi, t);
        }
    if (!std::isfinite(lo)) return "<p>No run was complete: no distribution to show.</p>";
    const double pad = std::max(1.0, 0.05 * (hi - lo));
    a.x0 = std::max(0.0, lo - pad);
    a.x1 = hi + pad;
    a.y0 = 0;
    a.y1 = double(c.variants.size());
    std::ostringstream os;
    os << svgOpen(a.w, a.h) << a.frame("evacuation time (s)", "", false);
    for (size_t k = 0; k < c.variants.size(); ++k) {
        const VariantSummary& s = c.variants[k];
        const double yc = a.t + row * (double(k) + 0.5);
        os << "<text x='" << (a.l - 8) << "' y='" << (yc + 4) << "' text-anchor='end'>"
           << esc(s.name) << "</text>";
        if (s.times.empty()) continue;
        const double q1 = percentile(s.times, 0.25), q3 = percentile(s.times, 0.75);
        os << "<rect x='" << a.X(q1) << "' y='" << (yc - 12) << "' width='"
           << std::max(1.0, a.X(q3) - a.X(q1)) << "' height='24' fill='" << colour(k)
           << "' fill-opacity='0.15' stroke='" << colour(k) << "'/>";
        os << "<line x1='" << a.X(s.median.value) << "' x2='" << a.X(s.median.value) << "' y1='"
           << (yc - 12) << "' y2='" << (yc + 12) << "' stroke='" << colour(k)
           << "' stroke-width='2'/>";
        for (size_t i = 0; i < s.times.size(); ++i) {
            const double jitter = (double((i * 7919) % 17) / 16.0 - 0.5) * 16.0;
            os << "<circle cx='" << a.X(s.times[i]) << "' cy='" << (yc + jitter)
               << "' r='2.5' fill='" << colour(k) << "' fill-opacity='0.7'/>";
        }
        // Mean with its 95 % interval, and the 95th percentile.
        os << "<line x1='" << a.X(s.mean.lo) << "' x2='" << a.X(s.mean.hi) << "' y1='" << (yc + 17)
           << "' y2='" << (yc + 17) << "' stroke='#000' stroke-width='3'/><circle cx='"
           << a.X(s.mean.value) << "' cy='" << (yc + 17) << "' r='3.5' fill='#fff' stroke='#000'/>";
        os << "<path d='M" << a.X(s.p95.value) << ' ' << (yc - 18)
           << " l-5,-7 h10 z' fill='#000'/>";
    }
    os << "</svg>";
    return os.str();
}

std::string exitPlot(const Comparison& c) {
    std::vector<std::string> exits;
    double total = 1;
    for (const VariantSummary& s : c.variants) {
        double sum = 0;
        for (const auto& [id, m] : s.exit_mean) {
            if (std::find(exits.begin(), exits.end(), id) == exits.end()) exits.push_back(id);
            sum += m;
        }
        total = std::max(total, sum);
    }
    Axes a;
    a.l = 130;
    const double row = 30;
    a.h = a.t + a.b + row * double(c.variants.size()) + 18.0 * double((exits.size() + 5) / 6);
    a.x1 = total;
    a.y1 = 1;
    std::ostringstream os;
    os << svgOpen(a.w, a.h);
    Axes plot = a;
    plot.h = a.t + a.b + row * double(c.variants.size());
    os << plot.frame("people (mean over runs)", "", false);
    static const char* exitColours[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                        "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
    for (size_t k = 0; k < c.variants.size(); ++k) {
        const VariantSummary& s = c.variants[k];
        const double yc = plot.t + row * (double(k) + 0.5);
        os << "<text x='" << (plot.l - 8) << "' y='" << (yc + 4) << "' text-anchor='end'>"
           << esc(s.name) << "</text>";
        double x = 0;
        for (size_t e = 0; e < exits.size(); ++e)
            for (const auto& [id, m] : s.exit_mean)
                if (id == exits[e] && m > 0) {
                    os << "<rect x='" << plot.X(x) << "' y='" << (yc - 10) << "' width='"
                       << (plot.X(x + m) - plot.X(x)) << "' height='20' fill='"
                       << exitColours[e % 10] << "'><title>" << esc(id) << ": " << f(m)
                       << "</title></rect>";
                    if (plot.X(x + m) - plot.X(x) > 34)
                        os << "<text x='" << (plot.X(x) + 3) << "' y='" << (yc + 4)
                           << "' fill='#fff'>" << f(m, 0) << "</text>";
                    x += m;
                }
    }
    for (size_t e = 0; e < exits.size(); ++e) {
        const double x = plot.l + 100.0 * double(e % 6), y = plot.h + 4 + 18.0 * double(e / 6);
        os << "<rect x='" << x << "' y='" << y << "' width='12' height='10' fill='"
           << exitColours[e % 10] << "'/><text x='" << (x + 16) << "' y='" << (y + 10) << "'>"
           << esc(exits[e]) << "</text>";
    }
    os << "</svg>";
    return os.str();
}

/// Fruin's level of service of a density, as a colour (A and below: none).
const char* losColour(double rho) {
    if (rho < 0.31) return nullptr;
    if (rho < 0.43) return "#c7e9c0";   // B
    if (rho < 0.72) return "#ffffb2";   // C
    if (rho < 1.08) return "#fecc5c";   // D
    if (rho <= 2.15) return "#fd8d3c";  // E
    return "#e31a1c";                   // F
}

std::string planMap(const Scene& scene, size_t level, const DensityMap* map, double width) {
    const Box2 b = scene.levelBounds(int(level));
    if (!b.valid()) return "";
    const double pad = 0.5;
    const double sx = (width - 10) / (b.max.x - b.min.x + 2 * pad);
    const double height = (b.max.y - b.min.y + 2 * pad) * sx + 10;
    auto X = [&](double x) { return 5 + (x - b.min.x + pad) * sx; };
    auto Y = [&](double y) { return 5 + (b.max.y + pad - y) * sx; };
    std::ostringstream os;
    os << svgOpen(width, height) << "<rect width='100%' height='100%' fill='#fff'/>";
    if (map)
        for (int j = 0; j < map->ny; ++j)
            for (int i = 0; i < map->nx; ++i) {
                const double rho = map->peak[size_t(j) * size_t(map->nx) + size_t(i)];
                const char* c = losColour(rho);
                if (!c) continue;
                const double x = map->origin.x + i * map->cell,
                             y = map->origin.y + (j + 1) * map->cell;
                os << "<rect x='" << X(x) << "' y='" << Y(y) << "' width='" << map->cell * sx
                   << "' height='" << map->cell * sx << "' fill='" << c << "'><title>" << f(rho, 2)
                   << " /m²</title></rect>";
            }
    const Level& L = scene.levels[level];
    for (const Obstacle& o : L.obstacles) {
        os << "<polygon fill='#888' fill-opacity='0.8' points='";
        for (Vec2 p : o.polygon) os << X(p.x) << ',' << Y(p.y) << ' ';
        os << "'><title>" << esc(o.id.empty() ? "obstacle" : o.id) << "</title></polygon>";
    }
    for (const Stair& s : scene.stairs)
        if (s.lower == int(level) || s.upper == int(level)) {
            os << "<polygon fill='#cce' stroke='#88a' points='";
            for (Vec2 p : s.footprint()) os << X(p.x) << ',' << Y(p.y) << ' ';
            os << "'><title>stair " << esc(s.id) << "</title></polygon>";
        }
    for (const Wall& w : L.walls) {
        os << "<polyline fill='none' stroke='#222' stroke-width='"
           << std::max(1.0, w.thickness * sx) << "' points='";
        for (Vec2 p : w.points) os << X(p.x) << ',' << Y(p.y) << ' ';
        os << "'/>";
    }
    for (const Door& d : L.doors)
        os << "<line x1='" << X(d.a.x) << "' y1='" << Y(d.a.y) << "' x2='" << X(d.b.x) << "' y2='"
           << Y(d.b.y) << "' stroke='"
           << (d.closed ? "#c00"
               : d.exit ? "#0a0"
                        : "#fff")
           << "' stroke-width='" << std::max(3.0, 0.4 * sx) << "'><title>" << esc(d.id)
           << (d.closed ? " (closed)" : "") << "</title></line>";
    for (const Exit& e : scene.exits)
        if (e.level == int(level) && e.door.empty())
            os << "<line x1='" << X(e.a.x) << "' y1='" << Y(e.a.y) << "' x2='" << X(e.b.x)
               << "' y2='" << Y(e.b.y) << "' stroke='#0a0' stroke-width='"
               << std::max(3.0, 0.4 * sx) << "'/>";
    os << "</svg>";
    return os.str();
}

}  // namespace

std::string compareReportHtml(const ReportInput& in) {
    const Comparison& c = *in.comparison;
    std::ostringstream os;
    os << "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>Layout comparison: "
       << esc(c.scenario)
       << "</title><style>body{font-family:sans-serif;max-width:1180px;margin:1em auto;padding:0 "
          "1em;color:#222}"
          "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px "
          "7px;text-align:right}"
          "th{background:#f4f4f4}td.l,th.l{text-align:left}small{color:#666}.maps{display:flex;"
          "flex-wrap:wrap;gap:12px}"
          ".maps "
          "figure{margin:0}.verdict{font-size:1.1em}.sw{display:inline-block;width:12px;height:"
          "12px;margin-right:4px}"
          "</style></head><body>\n";
    os << "<h1>Layout comparison: " << esc(c.scenario) << "</h1>\n<p>Scenario file <code>"
       << esc(in.scenario_file) << "</code>; " << c.variants.size() << " variants × " << in.seeds
       << " seeds. Times are evacuation times (the last person out) in seconds; brackets are 95 % "
          "percentile-bootstrap confidence intervals ("
       << c.bootstrap.resamples << " resamples).</p>\n";

    os << "<h2>Verdict</h2><ul class='verdict'>";
    for (const VariantSummary& s : c.variants)
        if (s.d_mean) os << "<li><b>" << esc(s.name) << "</b>: " << esc(s.verdict) << "</li>";
    os << "</ul><p>Ranking by mean evacuation time: ";
    for (size_t k = 0; k < c.ranking.size(); ++k) {
        const VariantSummary* s = nullptr;
        for (const VariantSummary& v : c.variants)
            if (v.name == c.ranking[k]) s = &v;
        os << "<b>" << esc(c.ranking[k]) << "</b>";
        if (k + 1 < c.ranking.size()) os << (s && s->separated_from_next ? " &lt; " : " ≈ ");
    }
    os << " (&lt;: the 95 % interval of the difference excludes 0; ≈: it does not, so the order is "
          "not "
          "established by these runs).</p>\n";

    os << "<h2>Evacuation time</h2><table><tr><th>rank</th><th class='l'>variant</th><th "
          "class='l'>description</th>"
          "<th>runs complete</th><th>mean</th><th>median</th><th>95th percentile</th><th>mean − "
          "base</th>"
          "<th>95th pct − base</th></tr>";
    for (size_t k = 0; k < c.variants.size(); ++k) {
        const VariantSummary& s = c.variants[k];
        os << "<tr><td>" << s.rank
           << "</td><td class='l'><span class='sw' style='background:" << colour(k) << "'></span>"
           << esc(s.name) << "</td><td class='l'>" << esc(s.description) << "</td><td>"
           << s.complete << " / " << s.runs
           << (s.failed ? " (" + std::to_string(s.failed) + " failed)" : "") << "</td><td>"
           << ci(s.mean) << "</td><td>" << ci(s.median) << "</td><td>" << ci(s.p95) << "</td><td>"
           << (s.d_mean ? ci(*s.d_mean) : "–") << "</td><td>" << (s.d_p95 ? ci(*s.d_p95) : "–")
           << "</td></tr>";
    }
    os << "</table>\n";
    for (const VariantSummary& s : c.variants)
        for (const std::string& e : s.errors)
            os << "<p><b>" << esc(s.name) << "</b> failed runs: " << esc(e) << "</p>";

    os << "<h2>Agents remaining over time</h2><p>Median over runs (line) and 5–95 % band.</p>"
       << remainingPlot(c);
    os << "<h2>Distribution of evacuation times</h2><p>Dots: runs; box: quartiles with the median; "
          "black bar: "
          "mean and its 95 % interval; triangle: 95th percentile.</p>"
       << distributionPlot(c);
    os << "<h2>Exit usage</h2>" << exitPlot(c);

    os << "<h2>Crowding</h2><p>Density: people per m² in 2 m × 2 m cells, averaged over 1 s "
          "windows (stairs not "
          "counted). Fruin's levels of service: E from 1.08 /m², F above 2.15 "
          "/m².</p><table><tr><th "
          "class='l'>variant</th><th>time at LOS E or worse (s)</th><th>time at LOS F "
          "(s)</th><th>area × time at "
          "E or worse (m²·s)</th><th>highest density (/m²)</th><th class='l'>where (level, x, y; "
          "seed)</th></tr>";
    for (const VariantSummary& s : c.variants)
        os << "<tr><td class='l'>" << esc(s.name) << "</td><td>" << f(s.los_e_s) << "</td><td>"
           << f(s.los_f_s) << "</td><td>" << f(s.los_e_area_s, 0) << "</td><td>" << f(s.peak, 2)
           << "</td><td class='l'>" << esc(s.peak_level) << " (" << f(s.peak_x) << ", "
           << f(s.peak_y) << "); seed " << s.peak_seed << "</td></tr>";
    os << "</table><p>Maps: the peak density of each cell, averaged over runs, coloured by level "
          "of service "
          "(<span class='sw' style='background:#c7e9c0'></span>B <span class='sw' "
          "style='background:#ffffb2'></span>C "
          "<span class='sw' style='background:#fecc5c'></span>D <span class='sw' "
          "style='background:#fd8d3c'></span>E "
          "<span class='sw' style='background:#e31a1c'></span>F); grey: obstacles; green: exits; "
          "red: closed "
          "doors.</p>\n";
    bool gas = false;
    for (const VariantSummary& s : c.variants) gas |= s.gas;
    if (gas) {
        os << "<h2>Gas</h2><p>People who breathed any of the released gas, and people "
              "incapacitated by it "
              "(they do not get out, so their runs count as incomplete above).</p><table><tr><th "
              "class='l'>variant"
              "</th><th>exposed (mean)</th><th>incapacitated (mean)</th><th>incapacitated (worst "
              "run)</th></tr>";
        for (const VariantSummary& s : c.variants)
            os << "<tr><td class='l'>" << esc(s.name) << "</td><td>"
               << (s.gas ? f(s.gas_exposed) : "–") << "</td><td>"
               << (s.gas ? f(s.gas_incapacitated) : "–") << "</td><td>"
               << (s.gas ? std::to_string(s.gas_incapacitated_max) : "–") << "</td></tr>";
        os << "</table>\n";
    }
    size_t levels = 0;
    for (const Scene* s : in.scenes) levels = std::max(levels, s ? s->levels.size() : 0);
    const double width = in.scenes.size() <= 2 ? 560 : 370;
    for (size_t l = 0; l < levels; ++l) {
        os << "<div class='maps'>";
        for (size_t k = 0; k < c.variants.size() && k < in.scenes.size(); ++k) {
            const Scene& scene = *in.scenes[k];
            if (l >= scene.levels.size()) continue;
            const DensityMap* map = nullptr;
            for (const DensityMap& m : c.variants[k].density)
                if (m.level == scene.levels[l].id) map = &m;
            os << "<figure>" << planMap(scene, l, map, width) << "<figcaption>"
               << esc(c.variants[k].name) << " — " << esc(scene.levels[l].name)
               << "</figcaption></figure>";
        }
        os << "</div>\n";
    }
    os << "<h2>Method</h2><p>Each variant is the base scenario with the edits listed in its "
          "<code>variants</code> entry; each runs with the same seeds, so runs of different "
          "variants share their "
          "random draws where their populations agree, and differences are bootstrapped in pairs "
          "(seed by seed) "
          "when both variants completed the same seeds. A verdict is given only where the 95 % "
          "interval of the "
          "difference of mean evacuation times excludes zero. Crowd model: collision-free speed "
          "model (Tordeux, "
          "Chraibi &amp; Seyfried 2016), see the README.</p></body></html>\n";
    return os.str();
}

}  // namespace safetwin
