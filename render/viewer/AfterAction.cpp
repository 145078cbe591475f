#include "render/viewer/AfterAction.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include "render/viewer/DrillScript.hpp"
#include "sim/gas/GasCoupling.hpp"
#include "sim/run/Simulation.hpp"

namespace safetwin::viewer {

namespace {

using json = nlohmann::ordered_json;

double round3(double v) { return std::round(v * 1e3) / 1e3; }
json timeOrNull(double t) { return t >= 0.0 ? json(round3(t)) : json(nullptr); }

json progressJson(const Progress& p) {
    return {{"out", p.out}, {"remaining", p.remaining}, {"waiting", p.waiting}, {"moving", p.moving},
            {"exposed", p.exposed}, {"incapacitated", p.incapacitated}, {"alarm_s", timeOrNull(p.alarm)}};
}

std::string esc(const std::string& s) {
    std::string o;
    for (char c : s) {
        switch (c) {
        case '&': o += "&amp;"; break;
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '"': o += "&quot;"; break;
        default: o += c;
        }
    }
    return o;
}

std::string str(const json& v) {
    if (v.is_null()) return "";
    if (v.is_string()) return v.get<std::string>();
    std::ostringstream os;
    if (v.is_number_float()) os << v.get<double>();
    else os << v.dump();
    return os.str();
}

/// Minutes and seconds for the room: 125.5 -> "2:05.5".
std::string clock(const json& v) {
    if (!v.is_number()) return "-";
    const double t = v.get<double>();
    const int m = int(t / 60.0);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%d:%04.1f", m, t - 60.0 * m);
    return buf;
}

void writeAtomic(const std::filesystem::path& path, const std::string& text) {
    const auto tmp = path.string() + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f << text;
        if (!f) throw std::runtime_error("cannot write " + tmp);
    }
    std::filesystem::rename(tmp, path);
}

}  // namespace

Progress progressOf(const Simulation& sim) {
    Progress p;
    p.time = sim.time();
    const CrowdState& s = sim.state();
    p.total = int(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        switch (s.status[i]) {
        case AgentStatus::Out: ++p.out; break;
        case AgentStatus::Waiting: ++p.waiting; break;
        case AgentStatus::Moving: ++p.moving; break;
        default: break;
        }
    }
    p.remaining = p.total - p.out;
    if (const GasCoupling* g = sim.gas()) {
        for (const AgentExposure& e : g->exposures()) {
            if (e.incapacitated_at >= 0.0) ++p.incapacitated;
            else if (e.dose > 0.0) ++p.exposed;
        }
    }
    p.alarm = sim.alarmTime();
    return p;
}

json AfterActionRecord::toJson(const Simulation& sim, const DrillScript* script, const std::string& scriptPath) const {
    json j;
    j["format"] = "safetwin-after-action";
    j["version"] = 1;
    j["scenario"] = sim.scenario().name;
    j["file"] = sim.scenario().file;
    j["seed"] = sim.summary()["seed"];
    j["script"] = scriptPath.empty() ? json(nullptr) : json(scriptPath);
    json entries = json::array();
    for (const AfterActionEntry& e : entries_) {
        json x;
        x["time_s"] = round3(e.time);
        x["source"] = e.source;
        x["inject"] = e.inject.empty() ? json(nullptr) : json(e.inject);
        x["planned_s"] = timeOrNull(e.planned);
        x["action"] = e.action;
        x["target"] = e.target;
        x["detail"] = e.detail;
        x["message"] = e.message;
        x["outcome"] = e.outcome;
        x["progress"] = progressJson(e.progress);
        entries.push_back(x);
    }
    j["entries"] = entries;
    json inj = json::array();
    if (script) {
        static const char* kState[] = {"pending", "fired", "skipped", "failed"};
        for (size_t i = 0; i < script->injects().size(); ++i) {
            const Inject& in = script->injects()[i];
            const InjectStatus& st = script->status()[i];
            inj.push_back({{"id", in.id}, {"time_s", round3(in.time)}, {"event", injectEventName(in.event)}, {"target", in.target},
                           {"message", in.message}, {"state", kState[int(st.state)]}, {"at_s", timeOrNull(st.at)}, {"early", st.early},
                           {"error", st.error}});
        }
    }
    j["injects"] = inj;
    const Progress fin = progressOf(sim);
    const json summary = sim.summary();
    json exits = json::array();
    for (const auto& e : summary["exits"]) exits.push_back({{"id", e["id"]}, {"count", e["count"]}, {"last_s", e["last_s"]}});
    j["final"] = {{"simulated_time_s", round3(sim.time())},
                  {"finished", sim.finished()},
                  {"agents", fin.total},
                  {"evacuated", fin.out},
                  {"remaining", fin.remaining},
                  {"evacuation_time_s", summary["evacuation_time_s"]},
                  {"complete", summary["complete"]},
                  {"exposed", fin.exposed},
                  {"incapacitated", fin.incapacitated},
                  {"alarm_s", timeOrNull(fin.alarm)},
                  {"unreachable", summary["unreachable"].size()},
                  {"exits", exits}};
    return j;
}

std::string AfterActionRecord::toHtml(const json& r) {
    std::ostringstream h;
    const std::string title = "After-action record: " + str(r["scenario"]);
    h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << esc(title) << "</title>\n"
      << "<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #bbb;padding:.25em .6em;text-align:left}th{background:#eee}"
         ".num{text-align:right}.failed{color:#b00}.skipped{color:#777}</style></head><body>\n";
    h << "<h1>" << esc(title) << "</h1>\n<p>Scenario file <code>" << esc(str(r["file"])) << "</code>, seed " << esc(str(r["seed"]));
    if (!r["script"].is_null()) h << ", drill script <code>" << esc(str(r["script"])) << "</code>";
    h << ".</p>\n";
    const json& f = r["final"];
    h << "<h2>Final figures</h2>\n<table>\n";
    auto row = [&](const std::string& k, const std::string& v) { h << "<tr><th>" << esc(k) << "</th><td class=\"num\">" << esc(v) << "</td></tr>\n"; };
    row("simulated time", clock(f["simulated_time_s"]) + (f["finished"].get<bool>() ? " (run finished)" : " (stopped before the end)"));
    row("people", str(f["agents"]));
    row("out", str(f["evacuated"]));
    row("remaining", str(f["remaining"]));
    row("last person out", clock(f["evacuation_time_s"]));
    row("exposed to gas", str(f["exposed"]));
    row("incapacitated", str(f["incapacitated"]));
    row("alarm", clock(f["alarm_s"]));
    row("cannot reach an exit", str(f["unreachable"]));
    h << "</table>\n<table><tr><th>exit</th><th>people out</th><th>last out</th></tr>\n";
    for (const auto& e : f["exits"])
        h << "<tr><td>" << esc(str(e["id"])) << "</td><td class=\"num\">" << esc(str(e["count"])) << "</td><td class=\"num\">" << clock(e["last_s"]) << "</td></tr>\n";
    h << "</table>\n<h2>Timeline</h2>\n<p>Every inject and director action, when it took effect, and where the evacuation stood then.</p>\n";
    h << "<table><tr><th>time</th><th>planned</th><th>by</th><th>action</th><th>target</th><th>detail / message</th><th>outcome</th>"
         "<th>out</th><th>remaining</th><th>exposed</th><th>incapacitated</th></tr>\n";
    for (const auto& e : r["entries"]) {
        const std::string outcome = str(e["outcome"]);
        const std::string cls = outcome.rfind("failed", 0) == 0 ? "failed" : outcome == "skipped" ? "skipped" : "";
        std::string by = str(e["source"]);
        if (!e["inject"].is_null()) by += " " + str(e["inject"]);
        std::string text = str(e["detail"]);
        if (!str(e["message"]).empty()) text += (text.empty() ? "" : " — ") + std::string("“") + str(e["message"]) + "”";
        const json& p = e["progress"];
        h << "<tr class=\"" << cls << "\"><td class=\"num\">" << clock(e["time_s"]) << "</td><td class=\"num\">" << clock(e["planned_s"]) << "</td><td>"
          << esc(by) << "</td><td>" << esc(str(e["action"])) << "</td><td>" << esc(str(e["target"])) << "</td><td>" << esc(text) << "</td><td>"
          << esc(outcome) << "</td><td class=\"num\">" << esc(str(p["out"])) << "</td><td class=\"num\">" << esc(str(p["remaining"]))
          << "</td><td class=\"num\">" << esc(str(p["exposed"])) << "</td><td class=\"num\">" << esc(str(p["incapacitated"])) << "</td></tr>\n";
    }
    h << "</table>\n";
    if (!r["injects"].empty()) {
        h << "<h2>Inject list</h2>\n<table><tr><th>id</th><th>planned</th><th>event</th><th>target</th><th>message</th><th>state</th><th>at</th></tr>\n";
        for (const auto& in : r["injects"]) {
            std::string state = str(in["state"]);
            if (in["early"].get<bool>()) state += " (early)";
            if (!str(in["error"]).empty()) state += ": " + str(in["error"]);
            h << "<tr><td>" << esc(str(in["id"])) << "</td><td class=\"num\">" << clock(in["time_s"]) << "</td><td>" << esc(str(in["event"])) << "</td><td>"
              << esc(str(in["target"])) << "</td><td>" << esc(str(in["message"])) << "</td><td>" << esc(state) << "</td><td class=\"num\">" << clock(in["at_s"])
              << "</td></tr>\n";
        }
        h << "</table>\n";
    }
    h << "</body></html>\n";
    return h.str();
}

std::filesystem::path AfterActionRecord::write(const std::filesystem::path& dir, const Simulation& sim, const DrillScript* script,
                                               const std::string& scriptPath) const {
    std::filesystem::create_directories(dir);
    const json r = toJson(sim, script, scriptPath);
    const auto path = dir / "after_action.json";
    writeAtomic(path, r.dump(2) + "\n");
    writeAtomic(dir / "after_action.html", toHtml(r));
    return path;
}

}  // namespace safetwin::viewer
