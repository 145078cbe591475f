// The viewer window. Index:
//   [SECTION] Session      scenario, drill script and LiveRun shared by the window and video export
//   [SECTION] Window       GLFW + ImGui setup, input, camera, the frame loop
//   [SECTION] Panels       timeline, director, injects, view, big-screen overlay, legend
//   [SECTION] Video        offscreen frames piped to ffmpeg
#include "render/viewer/Viewer.hpp"

#include "render/gl/Gl.hpp"
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include "backends/imgui_impl_glfw.h"
#include "backends/imgui_impl_opengl3.h"
#include "imgui.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <future>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include "render/Camera.hpp"
#include "render/FrameFromSimulation.hpp"
#include "render/Overlay.hpp"
#include "render/Renderer.hpp"
#include "render/Replay.hpp"
#include "render/gl/Offscreen.hpp"
#include "render/viewer/LiveRun.hpp"
#include "render/viewer/Picking.hpp"
#include "scenes/InputError.hpp"
#include "sim/run/Simulation.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

namespace safetwin::viewer {

namespace fs = std::filesystem;

bool displayAvailable() {
    const char* x = std::getenv("DISPLAY");
    const char* w = std::getenv("WAYLAND_DISPLAY");
    return (x && *x) || (w && *w);
}

namespace {

// [SECTION] Session -----------------------------------------------------------------------------

void writeAtomic(const fs::path& path, const std::string& text) {
    const auto tmp = path.string() + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f << text;
        if (!f) throw std::runtime_error("cannot write " + tmp);
    }
    fs::rename(tmp, path);
}

struct Session {
    std::unique_ptr<LiveRun> live;
    fs::path out;
};

Session startSession(const ViewerOptions& o, bool fast) {
    if (o.scenario.empty()) throw InputError("view: give a SCENARIO file (or --results DIR to replay a run)");
    Scenario sc = loadScenarioFile(o.scenario);
    if (o.prepare) o.prepare(sc);
    DrillScript script;
    if (!o.script.empty()) {
        script = DrillScript::load(o.script);
        script.validate(sc);
    }
    SimulationOptions so;
    if (o.seed >= 0) so.seed = uint64_t(o.seed);
    LiveOptions lo;
    lo.speed = o.speed;
    lo.playing = !o.paused;
    lo.realtime = !fast;
    lo.stop_at = o.exit_at;
    Session s;
    const std::string stem = fs::path(o.scenario).stem().string();
    s.out = o.out.empty() ? fs::path("results") / (stem + "-view") : fs::path(o.out);
    s.live = std::make_unique<LiveRun>(std::make_unique<Simulation>(sc, so), [](const Simulation& sim) { return render::frameFromSimulation(sim); },
                                       lo, std::move(script), o.script);
    return s;
}

/// summary.json (with the event log when the director acted) and the after-action record.
void writeResults(const Session& s) {
    const LiveRun& live = *s.live;
    fs::create_directories(s.out);
    writeAtomic(s.out / "summary.json", live.simulation().summary().dump(2) + "\n");
    live.record().write(s.out, live.simulation(), live.script().empty() ? nullptr : &live.script(), live.scriptPath());
    std::printf("view: results and after-action record in %s (summary.json, after_action.json, after_action.html)\n", s.out.string().c_str());
}

/// A recorded run played on the window thread: play, pause, speed, step and scrubbing over
/// Replay::frameAt. Director actions are refused (a replay cannot change).
class ReplayPlayer {
public:
    explicit ReplayPlayer(render::Replay replay, double speed, bool playing) : replay_(std::move(replay)), speed_(speed), playing_(playing) {
        t_ = replay_.startTime();
        refresh();
    }
    const render::Replay& replay() const { return replay_; }
    double start() const { return replay_.startTime(); }
    double end() const { return replay_.endTime(); }
    /// Advances the clock by wall seconds x speed.
    void tick(double wall) {
        if (playing_) seek(t_ + wall * speed_, false);
        if (t_ >= end()) playing_ = false;
    }
    void seek(double t, bool refreshNow = true) {
        const double nt = std::clamp(t, start(), end());
        if (nt != t_ || refreshNow) { t_ = nt; refresh(); }
        else refresh();
    }
    void post(const LiveCommand& c) {
        using K = LiveCommand::Kind;
        switch (c.kind) {
        case K::Play: playing_ = true; if (t_ >= end()) seek(start()); break;
        case K::Pause: playing_ = false; break;
        case K::SetSpeed: speed_ = std::clamp(c.value, LiveRun::kMinSpeed, LiveRun::kMaxSpeed); break;
        case K::Step: seek(t_ + (c.value > 0.0 ? c.value : 0.5)); break;
        case K::RunTo: seek(c.value); break;
        default:
            messages_.push_back({t_, "a replay cannot change: director actions and injects act on live runs (safetwin view SCENARIO)", true});
            if (messages_.size() > 5) messages_.erase(messages_.begin());
            break;
        }
        refresh();
    }
    std::shared_ptr<const LiveSnapshot> snapshot() const { return snap_; }

private:
    void refresh() {
        auto s = std::make_shared<LiveSnapshot>();
        s->frame = replay_.frameAt(t_);
        s->time = t_;
        s->speed = speed_;
        s->playing = playing_;
        s->finished = t_ >= end();
        s->stopped_at_limit = s->finished;
        s->progress.time = t_;
        s->progress.total = s->frame.total;
        s->progress.out = s->frame.out;
        s->progress.remaining = s->frame.remaining;
        s->progress.exposed = s->frame.exposed;
        s->progress.incapacitated = s->frame.incapacitated;
        s->messages = messages_;
        snap_ = std::move(s);
    }
    render::Replay replay_;
    double speed_ = 1.0, t_ = 0.0;
    bool playing_ = true;
    std::vector<RoomMessage> messages_;
    std::shared_ptr<const LiveSnapshot> snap_;
};

/// Opens a results folder for replay with the scenario it came from; InputError otherwise.
std::pair<render::Replay, Scenario> openReplay(const std::string& dir) {
    render::Replay replay = render::Replay::open(dir);
    const std::string file = replay.scenarioFile();
    if (!fs::exists(file))
        throw InputError("view --results " + dir + ": the run was made from '" + file + "', which no longer exists; the viewer needs its scene");
    replay.checkScenario(file);
    Scenario sc = loadScenarioFile(file);
    return {std::move(replay), std::move(sc)};
}

std::string clockText(double t) {
    const int m = int(t / 60.0);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d:%04.1f", m, t - 60.0 * m);
    return buf;
}

render::ColourBy colourBy(const std::string& s) {
    return s == "speed" ? render::ColourBy::Speed : s == "dose" ? render::ColourBy::Dose : render::ColourBy::State;
}

// [SECTION] Window ------------------------------------------------------------------------------

struct Ui {
    const ViewerOptions* opt = nullptr;
    Session* session = nullptr;        // live run, or
    ReplayPlayer* player = nullptr;    // a replay
    const Scene* scene = nullptr;
    render::Renderer* renderer = nullptr;
    render::Camera camera;
    render::DrawOptions draw;
    std::vector<std::pair<std::string, render::Camera>> bookmarks;
    size_t tourStops = 0;              // the tour cycles bookmarks[0, tourStops)
    std::string savedYaml;             // the last saved bookmark as a `cameras:` entry
    bool panels = true;
    // Input
    double scroll = 0.0;
    bool dragging = false;
    int dragButton = -1;
    double lastX = 0, lastY = 0;
    double pressX = 0, pressY = 0;     // where the button went down (a click or a drag)
    // Director
    int doorLevel = 0, doorIndex = 0;
    int leakLevel = 0;
    bool placingLeak = false;
    float leakRate = 1.0f, leakHeight = 1.0f;
    float windSpeed = 3.0f, windDir = 270.0f;
    // Follow
    int follow = -1;
    bool firstPerson = false;
    // Tour
    bool tour = false;
    size_t tourIndex = 0;
    std::chrono::steady_clock::time_point tourSince = std::chrono::steady_clock::now();
    ImFont* bigFont = nullptr;
    float scale = 1.0f;
};

void scrollCallback(GLFWwindow* w, double, double dy) {
    if (auto* ui = static_cast<Ui*>(glfwGetWindowUserPointer(w))) ui->scroll += dy;
}

void glfwErrorCallback(int code, const char* text) { std::fprintf(stderr, "GLFW error %d: %s\n", code, text); }

void post(Ui& ui, const LiveCommand& c) {
    if (ui.player) ui.player->post(c);
    else ui.session->live->post(c);
}

void handleInput(Ui& ui, GLFWwindow* win, const LiveSnapshot& snap, int fbw, int fbh) {
    ImGuiIO& io = ImGui::GetIO();
    double x, y;
    glfwGetCursorPos(win, &x, &y);
    int ww, wh;
    glfwGetWindowSize(win, &ww, &wh);
    const double sx = ww > 0 ? double(fbw) / ww : 1.0, sy = wh > 0 ? double(fbh) / wh : 1.0;
    if (!io.WantCaptureMouse) {
        if (ui.scroll != 0.0) ui.camera.zoom(std::pow(0.88, ui.scroll));
        for (int b = 0; b < 3; ++b) {
            if (glfwGetMouseButton(win, b) == GLFW_PRESS && !ui.dragging) {
                ui.dragging = true;
                ui.dragButton = b;
                ui.lastX = ui.pressX = x;
                ui.lastY = ui.pressY = y;
                if (b == GLFW_MOUSE_BUTTON_LEFT && ui.placingLeak) {
                    const auto& lv = ui.scene->levels[size_t(ui.leakLevel)];
                    const double z = lv.elevation + ui.renderer->levelOffset(ui.leakLevel, ui.draw);
                    if (const auto p = pickPlane(ui.camera, x * sx, y * sy, fbw, fbh, z)) {
                        LeakAction l;
                        l.level_id = lv.id;
                        l.at = {(*p)[0], (*p)[1]};
                        l.rate = ui.leakRate;
                        l.height = ui.leakHeight;
                        post(ui, LiveCommand::leakAt(l));
                    }
                    ui.placingLeak = false;
                    ui.dragging = false;
                    ui.dragButton = -2;  // swallow this press
                }
            }
        }
    }
    ui.scroll = 0.0;
    if (ui.dragging) {
        if (glfwGetMouseButton(win, ui.dragButton) != GLFW_PRESS) {
            ui.dragging = false;
            // A left click that did not drag picks the person under it to follow.
            // (Not from someone's eyes: the picture is not ui.camera's then.)
            if (ui.dragButton == GLFW_MOUSE_BUTTON_LEFT && std::hypot(x - ui.pressX, y - ui.pressY) < 4.0 && !(ui.firstPerson && ui.follow >= 0)) {
                const int id = pickAgent(ui.camera, snap.frame.agents, x * sx, y * sy, fbw, fbh, 12.0 * sx, [&](const render::AgentSample& a) {
                    return ui.renderer->levelOffset(ui.renderer->levelOfZ(a.z), ui.draw);
                });
                if (id >= 0) {
                    ui.follow = id;
                    std::printf("view: following person %d (Esc to stop)\n", id);
                    std::fflush(stdout);
                }
            }
        } else {
            const double dx = x - ui.lastX, dy = y - ui.lastY;
            ui.lastX = x;
            ui.lastY = y;
            if (ui.dragButton == GLFW_MOUSE_BUTTON_LEFT) {
                ui.camera.orbit(-dx * 0.006, dy * 0.006);
            } else {
                ui.camera.panPixels(dx, dy, wh);
            }
        }
    } else if (ui.dragButton == -2 && glfwGetMouseButton(win, GLFW_MOUSE_BUTTON_LEFT) != GLFW_PRESS) {
        ui.dragButton = -1;
    }
    if (!io.WantCaptureKeyboard) {
        if (ImGui::IsKeyPressed(GLFW_KEY_SPACE)) post(ui, snap.playing ? LiveCommand::pause() : LiveCommand::play());
        if (ImGui::IsKeyPressed(GLFW_KEY_H)) ui.panels = !ui.panels;
        if (ImGui::IsKeyPressed(GLFW_KEY_PERIOD)) post(ui, LiveCommand::step());
        if (ImGui::IsKeyPressed(GLFW_KEY_EQUAL)) post(ui, LiveCommand::speed(snap.speed * 2));
        if (ImGui::IsKeyPressed(GLFW_KEY_MINUS)) post(ui, LiveCommand::speed(snap.speed / 2));
        if (ImGui::IsKeyPressed(GLFW_KEY_ESCAPE)) ui.follow = -1;
        for (const auto& [key, name] : {std::pair{GLFW_KEY_T, "top"}, std::pair{GLFW_KEY_O, "overview"}})
            if (ImGui::IsKeyPressed(key))
                for (const auto& [n, c] : ui.bookmarks)
                    if (n == name) ui.camera = c;
    }
}

/// Keeps the camera on the followed agent (orbiting round it, or from its eyes).
std::optional<render::Camera> followCamera(Ui& ui, const render::Frame& f) {
    if (ui.follow < 0) return std::nullopt;
    for (const render::AgentSample& a : f.agents) {
        if (int(a.id) != ui.follow) continue;
        const double off = ui.renderer->levelOffset(ui.renderer->levelOfZ(a.z), ui.draw);
        if (ui.firstPerson) {
            // Eyes 1.6 m up and just in front of the body, looking along the heading.
            return render::Camera::lookFrom(a.x + 0.3 * a.ex, a.y + 0.3 * a.ey, a.z + off + 1.6, a.ex, a.ey, -0.08);
        }
        ui.camera.tx = a.x;
        ui.camera.ty = a.y;
        ui.camera.tz = a.z + off;
        return std::nullopt;
    }
    return std::nullopt;  // out or unknown: the camera stays
}

// [SECTION] Panels ------------------------------------------------------------------------------

bool sim_has_gas(const LiveSnapshot& s) { return !s.frame.gas_name.empty(); }

void colourSwatch(const std::array<float, 3>& c, const char* label) {
    ImGui::ColorButton(label, ImVec4(c[0], c[1], c[2], 1.0f), ImGuiColorEditFlags_NoTooltip, ImVec2(14, 14));
    ImGui::SameLine();
    ImGui::TextUnformatted(label);
}

void legend(Ui& ui) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + 10, vp->WorkPos.y + vp->WorkSize.y - 10), ImGuiCond_Always, ImVec2(0, 1));
    ImGui::SetNextWindowBgAlpha(0.7f);
    ImGui::Begin("Legend", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
    if (ui.draw.colour_by == render::ColourBy::State) {
        for (auto v : {render::AgentVisual::Waiting, render::AgentVisual::Moving, render::AgentVisual::Exposed, render::AgentVisual::Incapacitated,
                       render::AgentVisual::Trapped})
            colourSwatch(render::stateColour(v), render::stateName(v));
    } else {
        const bool speed = ui.draw.colour_by == render::ColourBy::Speed;
        const double top = speed ? ui.draw.speed_max : ui.draw.dose_max;
        ImGui::TextUnformatted(speed ? "speed [m/s]" : "dose (FED)");
        for (int k = 0; k <= 4; ++k) {
            char label[32];
            std::snprintf(label, sizeof label, "%.2f", top * k / 4.0);
            colourSwatch(render::rampColour(k / 4.0), label);
        }
    }
    if (ui.draw.show_density) {
        ImGui::Separator();
        ImGui::TextUnformatted("density (Fruin LoS)");
        static const char* kLos[] = {"A < 0.31 /m2", "B < 0.43", "C < 0.72", "D < 1.08", "E < 2.17", "F"};
        for (int l = 0; l < 6; ++l) colourSwatch(render::fruinColour(l), kLos[l]);
    }
    ImGui::End();
}

/// The big clock and counters: top right, readable across a control room.
void bigOverlay(Ui& ui, const LiveSnapshot& s) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x - 10, vp->WorkPos.y + 10), ImGuiCond_Always, ImVec2(1, 0));
    ImGui::SetNextWindowBgAlpha(0.75f);
    ImGui::Begin("Clock", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
    if (ui.bigFont) ImGui::PushFont(ui.bigFont);
    ImGui::Text("T+ %s", clockText(s.time).c_str());
    if (ui.bigFont) ImGui::PopFont();
    const render::Frame& f = s.frame;
    ImGui::Text("out %d   remaining %d", f.out, f.remaining);
    if (!f.gas_name.empty() || f.exposed || f.incapacitated) {
        ImGui::TextColored(ImVec4(1.0f, 0.75f, 0.2f, 1), "exposed %d", f.exposed);
        ImGui::SameLine();
        ImGui::TextColored(ImVec4(1.0f, 0.3f, 0.3f, 1), "  incapacitated %d", f.incapacitated);
    }
    if (s.progress.alarm >= 0.0) ImGui::TextColored(ImVec4(1, 0.3f, 0.3f, 1), "ALARM at %s", clockText(s.progress.alarm).c_str());
    if (s.finished) ImGui::TextUnformatted("run finished");
    else if (!s.playing) ImGui::TextUnformatted("paused");
    // The latest messages to the room
    const double now = s.time;
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + 420.0f * ui.scale);  // long messages wrap
    for (const RoomMessage& m : s.messages)
        if (now - m.time < 30.0) {
            ImGui::PushStyleColor(ImGuiCol_Text, m.error ? ImVec4(1, 0.4f, 0.4f, 1) : ImVec4(0.6f, 0.9f, 1, 1));
            ImGui::TextWrapped("%s %s", clockText(m.time).c_str(), m.text.c_str());
            ImGui::PopStyleColor();
        }
    ImGui::PopTextWrapPos();
    ImGui::End();
}

void timelinePanel(Ui& ui, const LiveSnapshot& s) {
    {
        const ImGuiViewport* vp = ImGui::GetMainViewport();
        ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + 10, vp->WorkPos.y + 10), ImGuiCond_FirstUseEver);
        ImGui::SetNextWindowSize(ImVec2(560.0f * ui.scale, 120.0f * ui.scale), ImGuiCond_FirstUseEver);
    }
    ImGui::Begin("Timeline");
    ImGui::Text("t = %s   x%g   %s", clockText(s.time).c_str(), s.speed, s.finished ? "finished" : s.playing ? "playing" : "paused");
    if (ImGui::Button(s.playing ? "Pause" : "Play")) post(ui, s.playing ? LiveCommand::pause() : LiveCommand::play());
    ImGui::SameLine();
    if (ImGui::Button("Step")) post(ui, LiveCommand::step());
    ImGui::SameLine();
    if (ImGui::Button("+1 s")) post(ui, LiveCommand::step(1.0));
    ImGui::SameLine();
    if (ImGui::Button("+10 s")) post(ui, LiveCommand::step(10.0));
    static const double kSpeeds[] = {0.25, 0.5, 1, 2, 4, 8, 16, 32, 64};
    for (double v : kSpeeds) {
        char label[16];
        std::snprintf(label, sizeof label, "x%g", v);
        if (ImGui::RadioButton(label, std::abs(s.speed - v) < 1e-9)) post(ui, LiveCommand::speed(v));
        ImGui::SameLine();
    }
    ImGui::NewLine();
    if (ui.player) {
        float t = float(s.time);
        ImGui::SetNextItemWidth(-1);
        if (ImGui::SliderFloat("##scrub", &t, float(ui.player->start()), float(ui.player->end()), "%.1f s")) ui.player->seek(t);
        ImGui::Text("replay of %s (%zu frames)", ui.player->replay().scenarioName().c_str(), ui.player->replay().frames());
    } else {
        ImGui::Text("simulation %.0f steps/s (wall)", s.steps_per_s);
    }
    ImGui::SameLine();
    ImGui::Text("  window %.0f frames/s", double(ImGui::GetIO().Framerate));
    ImGui::End();
}

void directorPanel(Ui& ui, const LiveSnapshot& s) {
    {
        const ImGuiViewport* vp = ImGui::GetMainViewport();
        ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + 10, vp->WorkPos.y + 10 + 130.0f * ui.scale), ImGuiCond_FirstUseEver);
        ImGui::SetNextWindowSize(ImVec2(400.0f * ui.scale, std::max(200.0f, vp->WorkSize.y - 330.0f * ui.scale)), ImGuiCond_FirstUseEver);
    }
    ImGui::Begin("Drill director");
    const Scene& sc = *ui.scene;
    // Doors
    ImGui::TextUnformatted("Doors");
    std::vector<std::pair<int, int>> doors;
    for (size_t l = 0; l < sc.levels.size(); ++l)
        for (size_t d = 0; d < sc.levels[l].doors.size(); ++d)
            if (sc.levels[l].doors[d].closable) doors.push_back({int(l), int(d)});
    if (!doors.empty()) {
        ui.doorIndex = std::clamp(ui.doorIndex, 0, int(doors.size()) - 1);
        auto name = [&](int k) {
            const auto [l, d] = doors[size_t(k)];
            const bool closed = size_t(l) < s.frame.door_closed.size() && size_t(d) < s.frame.door_closed[size_t(l)].size() && s.frame.door_closed[size_t(l)][size_t(d)];
            return sc.levels[size_t(l)].doors[size_t(d)].id + " (" + sc.levels[size_t(l)].id + ", " + (closed ? "closed" : "open") + ")";
        };
        if (ImGui::BeginCombo("door", name(ui.doorIndex).c_str())) {
            for (int k = 0; k < int(doors.size()); ++k)
                if (ImGui::Selectable(name(k).c_str(), k == ui.doorIndex)) ui.doorIndex = k;
            ImGui::EndCombo();
        }
        const std::string id = sc.levels[size_t(doors[size_t(ui.doorIndex)].first)].doors[size_t(doors[size_t(ui.doorIndex)].second)].id;
        if (ImGui::Button("Close door")) post(ui, LiveCommand::door(id, true));
        ImGui::SameLine();
        if (ImGui::Button("Open door")) post(ui, LiveCommand::door(id, false));
    } else {
        ImGui::TextDisabled("no doors that close");
    }
    ImGui::Separator();
    // Gas
    const bool gas = sim_has_gas(s);
    ImGui::TextUnformatted(gas ? "Gas" : "Gas (this scenario has no gas: section)");
    if (!gas) ImGui::BeginDisabled();
    if (ImGui::BeginCombo("leak level", sc.levels[size_t(ui.leakLevel)].id.c_str())) {
        for (int l = 0; l < int(sc.levels.size()); ++l)
            if (ImGui::Selectable(sc.levels[size_t(l)].id.c_str(), l == ui.leakLevel)) ui.leakLevel = l;
        ImGui::EndCombo();
    }
    ImGui::SliderFloat("rate kg/s", &ui.leakRate, 0.01f, 20.0f, "%.2f", ImGuiSliderFlags_Logarithmic);
    ImGui::SliderFloat("height m", &ui.leakHeight, 0.0f, 5.0f, "%.1f");
    if (ImGui::Button(ui.placingLeak ? "Click the floor... (Esc: cancel)" : "Start a leak at a clicked point")) ui.placingLeak = !ui.placingLeak;
    if (ui.placingLeak && ImGui::IsKeyPressed(GLFW_KEY_ESCAPE)) ui.placingLeak = false;
    ImGui::SliderFloat("wind m/s", &ui.windSpeed, 0.0f, 20.0f, "%.1f");
    ImGui::SliderFloat("from deg", &ui.windDir, 0.0f, 360.0f, "%.0f");
    if (ImGui::Button("Change the wind")) post(ui, LiveCommand::wind(ui.windSpeed, ui.windDir));
    if (!gas) ImGui::EndDisabled();
    ImGui::Separator();
    if (ImGui::Button("RAISE THE ALARM")) post(ui, LiveCommand::alarm());
    ImGui::Separator();
    ImGui::TextUnformatted("Event log");
    ImGui::BeginChild("log", ImVec2(0, 120), true);
    for (const LoggedEvent& e : s.log)
        ImGui::Text("%s  %s  %s %s %s", clockText(e.time).c_str(), e.source.c_str(), e.action.c_str(), e.target.c_str(), e.detail.c_str());
    ImGui::EndChild();
    ImGui::End();
}

void injectPanel(Ui& ui, const LiveSnapshot& s) {
    if (s.injects.empty()) return;
    {
        const ImGuiViewport* vp = ImGui::GetMainViewport();
        ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + 420.0f * ui.scale, vp->WorkPos.y + vp->WorkSize.y - 230.0f * ui.scale), ImGuiCond_FirstUseEver);
        ImGui::SetNextWindowSize(ImVec2(std::max(300.0f, vp->WorkSize.x - 800.0f * ui.scale), 220.0f * ui.scale), ImGuiCond_FirstUseEver);
    }
    ImGui::Begin("Injects");
    bool paused = s.script_paused;
    if (ImGui::Checkbox("pause the script", &paused)) post(ui, LiveCommand::pauseScript(paused));
    if (ImGui::BeginTable("injects", 6, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
        ImGui::TableSetupColumn("time");
        ImGui::TableSetupColumn("id");
        ImGui::TableSetupColumn("event");
        ImGui::TableSetupColumn("target");
        ImGui::TableSetupColumn("message");
        ImGui::TableSetupColumn("");
        ImGui::TableHeadersRow();
        static const char* kState[] = {"pending", "fired", "skipped", "FAILED"};
        for (size_t i = 0; i < s.injects.size(); ++i) {
            const Inject& in = s.injects[i];
            const InjectStatus& st = s.inject_status[i];
            ImGui::PushID(int(i));
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(clockText(in.time).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(in.id.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(injectEventName(in.event));
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(in.target.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(in.message.c_str());
            ImGui::TableNextColumn();
            if (st.state == InjectState::Pending) {
                if (ImGui::SmallButton("fire now")) post(ui, LiveCommand::fireInject(i));
                ImGui::SameLine();
                if (ImGui::SmallButton("skip")) post(ui, LiveCommand::skipInject(i));
            } else {
                ImGui::Text("%s %s%s", kState[int(st.state)], clockText(st.at).c_str(), st.early ? " (early)" : "");
                if (!st.error.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", st.error.c_str());
            }
            ImGui::PopID();
        }
        ImGui::EndTable();
    }
    ImGui::End();
}

void viewPanel(Ui& ui, const LiveSnapshot& s) {
    {
        const ImGuiViewport* vp = ImGui::GetMainViewport();
        ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x - 380.0f * ui.scale, vp->WorkPos.y + 200.0f * ui.scale), ImGuiCond_FirstUseEver);
        ImGui::SetNextWindowSize(ImVec2(370.0f * ui.scale, 500.0f * ui.scale), ImGuiCond_FirstUseEver);
    }
    ImGui::Begin("View");
    int colour = int(ui.draw.colour_by);
    ImGui::TextUnformatted("people coloured by");
    ImGui::RadioButton("state", &colour, 0);
    ImGui::SameLine();
    ImGui::RadioButton("speed", &colour, 1);
    ImGui::SameLine();
    ImGui::RadioButton("dose", &colour, 2);
    ui.draw.colour_by = render::ColourBy(colour);
    int walls = int(ui.draw.walls);
    ImGui::TextUnformatted("walls");
    ImGui::RadioButton("solid", &walls, 0);
    ImGui::SameLine();
    ImGui::RadioButton("cut away", &walls, 1);
    ImGui::SameLine();
    ImGui::RadioButton("see-through", &walls, 2);
    ui.draw.walls = render::WallMode(walls);
    int levels = int(ui.draw.levels);
    ImGui::TextUnformatted("levels");
    ImGui::RadioButton("all", &levels, 0);
    ImGui::SameLine();
    ImGui::RadioButton("one", &levels, 1);
    ImGui::SameLine();
    ImGui::RadioButton("pulled apart", &levels, 2);
    ui.draw.levels = render::LevelMode(levels);
    if (ui.draw.levels == render::LevelMode::One && ui.scene->levels.size() > 1)
        ImGui::SliderInt("level", &ui.draw.level, 0, int(ui.scene->levels.size()) - 1, ui.scene->levels[size_t(std::clamp(ui.draw.level, 0, int(ui.scene->levels.size()) - 1))].id.c_str());
    ImGui::Checkbox("people", &ui.draw.show_agents);
    ImGui::SameLine();
    ImGui::Checkbox("model", &ui.draw.show_model);
    ImGui::SameLine();
    ImGui::Checkbox("density", &ui.draw.show_density);
    ImGui::Checkbox("gas map", &ui.draw.show_gas);
    ImGui::SameLine();
    ImGui::Checkbox("gas surface", &ui.draw.show_gas_surface);
    ImGui::SameLine();
    ImGui::Checkbox("markers", &ui.draw.show_markers);
    ImGui::Separator();
    ImGui::TextUnformatted("Cameras");
    for (size_t k = 0; k < ui.bookmarks.size(); ++k) {
        if (ImGui::Button(ui.bookmarks[k].first.c_str())) {
            ui.camera = ui.bookmarks[k].second;
            ui.follow = -1;
        }
        if ((k + 1) % 4 != 0 && k + 1 < ui.bookmarks.size()) ImGui::SameLine();
    }
    static char name[64] = "";
    ImGui::InputText("##bm", name, sizeof name);
    ImGui::SameLine();
    if (ImGui::Button("save bookmark") && name[0]) {
        // A saved view joins the tour and is offered as a line for the scenario's `cameras:`.
        std::string n(name);
        std::replace(n.begin(), n.end(), ' ', '-');
        ui.bookmarks.insert(ui.bookmarks.begin() + std::ptrdiff_t(std::min(ui.tourStops, ui.bookmarks.size())), {n, ui.camera});
        ++ui.tourStops;
        ui.savedYaml = render::cameraYaml(n, ui.camera);
        ImGui::SetClipboardText(ui.savedYaml.c_str());
        std::printf("view: saved camera '%s'; to keep it, add under 'cameras:' in the scenario:\n  - %s\n", n.c_str(), ui.savedYaml.c_str());
        std::fflush(stdout);
        name[0] = 0;
    }
    if (!ui.savedYaml.empty()) ImGui::TextWrapped("copied for the scenario's cameras: - %s", ui.savedYaml.c_str());
    ImGui::Checkbox("tour the bookmarks", &ui.tour);
    ImGui::Separator();
    ImGui::TextUnformatted("Follow a person");
    int id = ui.follow;
    if (ImGui::InputInt("agent id (-1 none)", &id)) ui.follow = std::max(-1, id);
    ImGui::Checkbox("from their eyes", &ui.firstPerson);
    if (ImGui::Button("follow someone still inside")) {
        for (const render::AgentSample& a : s.frame.agents)
            if (a.visual == render::AgentVisual::Moving || a.visual == render::AgentVisual::Waiting) {
                ui.follow = int(a.id);
                break;
            }
    }
    ImGui::Separator();
    ImGui::TextDisabled("drag: orbit, right-drag: pan, wheel: zoom, click a person: follow,\nEsc: stop following, T top, O overview, space play/pause, . step, +/- speed, H hide panels");
    ImGui::End();
}

void savePng(const std::string& path, int w, int h) {
    std::vector<uint8_t> px(size_t(w) * size_t(h) * 3), flipped(px.size());
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, px.data());
    const size_t row = size_t(w) * 3;
    for (int y = 0; y < h; ++y) std::copy_n(&px[size_t(h - 1 - y) * row], row, &flipped[size_t(y) * row]);
    const fs::path p(path);
    if (p.has_parent_path()) fs::create_directories(p.parent_path());
    writeAtomic(p, render::encodePng(flipped, w, h));
}

}  // namespace

// The hazard register and the live sensors on screen (issue 7): a compact figure box for the
// big screen, and a panel listing open hazards (filters; a click flies the camera there) and
// sensors that are not safe (alarm, or quality other than good: never shown as safe).
void siteOverlay(Ui& ui, const render::Frame& f) {
    if (f.rectification_rate < 0 && f.sensors.empty()) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x - 10, vp->WorkPos.y + 110.0f * ui.scale), ImGuiCond_Always, ImVec2(1, 0));
    ImGui::SetNextWindowBgAlpha(0.75f);
    ImGui::Begin("Site", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
    if (f.rectification_rate >= 0) {
        ImGui::Text("hazards open %d   rectified %.0f %%", f.hazards_open, 100.0 * f.rectification_rate);
        if (f.hazards_overdue > 0) ImGui::TextColored(ImVec4(0.85f, 0.3f, 1.0f, 1), "OVERDUE %d", f.hazards_overdue);
    }
    int alarms = 0, unknown = 0;
    for (const render::SensorSample& x : f.sensors) {
        if (x.alarm == render::AlarmState::Active || x.alarm == render::AlarmState::Warning) ++alarms;
        if (x.quality != render::SensorQuality::Good) ++unknown;
    }
    if (!f.sensors.empty()) {
        ImGui::TextColored(alarms ? ImVec4(1, 0.25f, 0.2f, 1) : ImVec4(0.8f, 0.8f, 0.8f, 1), "sensors %zu   alarms %d", f.sensors.size(), alarms);
        if (unknown) ImGui::TextColored(ImVec4(0.7f, 0.7f, 0.7f, 1), "no good data: %d", unknown);
    }
    ImGui::End();
}

struct ForecastJob {
    std::future<std::string> running;
    std::string text;
    double at = 0;     // simulation time of the press [Units: s]
    bool pending = false;  // press it on the next frame (--forecast)
};

void hazardPanel(Ui& ui, const render::Frame& f, ForecastJob& job) {
    const bool canForecast = bool(ui.opt->forecast) && !ui.player;
    if (f.hazards.empty() && f.sensors.empty() && !canForecast) return;
    {
        const ImGuiViewport* vp = ImGui::GetMainViewport();
        ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + 420.0f * ui.scale, vp->WorkPos.y + vp->WorkSize.y - 10), ImGuiCond_FirstUseEver, ImVec2(0, 1));
        ImGui::SetNextWindowSize(ImVec2(460.0f * ui.scale, 260.0f * ui.scale), ImGuiCond_FirstUseEver);
    }
    ImGui::Begin("Hazards and sensors");
    if (canForecast) {
        // If we had to evacuate now: the open hazards' effects and the live state, several seeds.
        if (job.running.valid()) {
            if (job.running.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
                try {
                    job.text = job.running.get();
                } catch (const std::exception& e) {
                    job.text = std::string("forecast failed: ") + e.what();
                }
                std::printf("view: forecast at t=%.1f s:\n%s", job.at, job.text.c_str());
                std::fflush(stdout);
            } else {
                ImGui::TextUnformatted("forecast running ...");
            }
        } else if (ImGui::Button("Forecast now") || job.pending) {
            job.pending = false;
            job.text.clear();
            job.at = ui.player ? 0.0 : ui.session->live->snapshot()->time;
            job.running = std::async(std::launch::async, ui.opt->forecast);
        }
        if (!job.text.empty()) ImGui::TextWrapped("%s", job.text.c_str());
        ImGui::Separator();
    }
    if (!ui.opt->hazard_note.empty() && f.hazards.empty()) ImGui::TextWrapped("%s", ui.opt->hazard_note.c_str());
    static bool majorOnly = false, overdueOnly = false;
    ImGui::Checkbox("major only", &majorOnly);
    ImGui::SameLine();
    ImGui::Checkbox("overdue only", &overdueOnly);
    for (const render::HazardMarker& h : f.hazards) {
        if ((majorOnly && !h.major) || (overdueOnly && !h.overdue)) continue;
        const ImVec4 c = h.overdue ? ImVec4(0.85f, 0.3f, 1.0f, 1) : h.major ? ImVec4(1, 0.3f, 0.25f, 1) : ImVec4(1, 0.65f, 0.2f, 1);
        char line[512];
        std::snprintf(line, sizeof line, "%s%s [%s] %s  %s  %s, due %s%s", h.overdue ? "! " : "", h.id.c_str(), h.major ? "major" : "general",
                      h.title.c_str(), h.status.c_str(), h.owner.c_str(), h.deadline.c_str(),
                      h.evacuation_cost_s >= 0 ? ("  +" + std::to_string(int(std::lround(h.evacuation_cost_s))) + " s").c_str() : "");
        ImGui::PushStyleColor(ImGuiCol_Text, c);
        if (ImGui::Selectable(line)) {  // fly there
            ui.follow = -1;
            ui.tour = false;
            ui.camera.tx = h.x;
            ui.camera.ty = h.y;
            ui.camera.tz = h.z;
            ui.camera.projection = render::Camera::Projection::Perspective;
            ui.camera.distance = 18.0;
            ui.camera.pitch = 0.8;
        }
        ImGui::PopStyleColor();
    }
    if (!f.sensors.empty()) {
        ImGui::Separator();
        for (const render::SensorSample& x : f.sensors) {
            const bool good = x.quality == render::SensorQuality::Good;
            const bool alarm = x.alarm == render::AlarmState::Active || x.alarm == render::AlarmState::Warning;
            if (good && !alarm) continue;  // only what needs attention
            const char* q = x.quality == render::SensorQuality::Bad ? "BAD" : x.quality == render::SensorQuality::Stale ? "STALE" : x.quality == render::SensorQuality::Unknown ? "UNKNOWN" : "";
            char since[32] = "";
            if (alarm && x.alarm_since > 0) {  // the alarm list with times
                const std::time_t t = std::time_t(x.alarm_since);
                std::tm utc{};
                gmtime_r(&t, &utc);
                std::strftime(since, sizeof since, " since %H:%M:%S UTC", &utc);
            }
            ImGui::TextColored(alarm ? ImVec4(1, 0.25f, 0.2f, 1) : ImVec4(0.7f, 0.7f, 0.7f, 1), "%s  %.3g %s  %s%s%s", x.id.c_str(), x.value, x.unit.c_str(),
                               alarm ? (x.alarm == render::AlarmState::Active ? "ALARM" : "WARNING") : "", since, q[0] ? (std::string(" ") + q).c_str() : "");
        }
    }
    ImGui::End();
}

int runViewer(const ViewerOptions& o) {
    const bool scripted = std::isfinite(o.exit_at);
    // Input first (a bad results folder is reported with or without a display), then the display.
    std::unique_ptr<ReplayPlayer> player;
    std::unique_ptr<Scenario> replayScenario;
    if (!o.results.empty()) {
        auto [replay, sc] = openReplay(o.results);
        replayScenario = std::make_unique<Scenario>(std::move(sc));
        player = std::make_unique<ReplayPlayer>(std::move(replay), o.speed, !o.paused && !scripted);
        if (scripted) player->seek(o.exit_at);
    }
    if (!displayAvailable())
        throw InputError("view: no display (neither DISPLAY nor WAYLAND_DISPLAY is set). To draw without one use\n"
                         "  safetwin render SCENARIO --time T --out FILE.png   (or render --results DIR)\n"
                         "or run the viewer under a virtual display: xvfb-run -a safetwin view SCENARIO");
    Session session;
    if (!player) session = startSession(o, scripted);
    const Scenario& scenario = player ? *replayScenario : session.live->simulation().scenario();
    const Scene& scene = scenario.scene;

    glfwSetErrorCallback(glfwErrorCallback);
    if (!glfwInit()) throw std::runtime_error("view: GLFW could not start (is the display " + std::string(std::getenv("DISPLAY") ? std::getenv("DISPLAY") : "") + " reachable?)");
    struct GlfwGuard { ~GlfwGuard() { glfwTerminate(); } } glfwGuard;
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    glfwWindowHint(GLFW_SAMPLES, o.samples > 1 ? o.samples : o.samples == 0 ? 4 : 0);
    GLFWmonitor* monitor = nullptr;
    int w = o.width, h = o.height;
    if (o.fullscreen) {
        int count = 0;
        GLFWmonitor** monitors = glfwGetMonitors(&count);
        if (count <= 0) throw std::runtime_error("view --fullscreen: no monitor found");
        if (o.monitor < 0 || o.monitor >= count)
            throw InputError("--monitor " + std::to_string(o.monitor) + ": this display has " + std::to_string(count) + " monitor(s), 0.." + std::to_string(count - 1));
        monitor = monitors[o.monitor];
        const GLFWvidmode* mode = glfwGetVideoMode(monitor);
        w = mode->width;
        h = mode->height;
    }
    const std::string title = "SafeTwin - " + scenario.name + (player ? " (replay)" : "");
    GLFWwindow* win = glfwCreateWindow(w, h, title.c_str(), monitor, nullptr);
    if (win && o.samples == 0) {   // default: no multisampling under a software renderer
        glfwMakeContextCurrent(win);
        if (render::gl::softwareRenderer()) {
            glfwDestroyWindow(win);
            glfwWindowHint(GLFW_SAMPLES, 0);
            win = glfwCreateWindow(w, h, title.c_str(), monitor, nullptr);
        }
    }
    if (!win) throw std::runtime_error("view: could not open an OpenGL 3.3 core window (see the GLFW error above)");
    struct WindowGuard { GLFWwindow* w; ~WindowGuard() { glfwDestroyWindow(w); } } windowGuard{win};
    glfwMakeContextCurrent(win);
    glfwSwapInterval(scripted ? 0 : 1);

    Ui ui;
    ui.opt = &o;
    ui.session = &session;
    ui.player = player.get();
    ui.scene = &scene;
    ui.panels = !o.no_panels;
    ui.tour = o.tour;
    ui.draw.colour_by = colourBy(o.colour);
    ui.follow = o.follow;
    ui.firstPerson = o.eyes;
    ui.bookmarks = render::scenarioBookmarks(scenario);
    // The tour visits the scenario's own cameras when it has some, else every bookmark.
    ui.tourStops = scenario.cameras.empty() ? ui.bookmarks.size() : scenario.cameras.size();
    if (auto c = render::findBookmark(scenario, o.camera)) ui.camera = *c;
    else throw InputError(render::unknownCameraMessage(scenario, o.camera));
    glfwSetWindowUserPointer(win, &ui);
    glfwSetScrollCallback(win, scrollCallback);  // before ImGui, which chains it

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    struct ImGuiGuard { ~ImGuiGuard() { ImGui_ImplOpenGL3_Shutdown(); ImGui_ImplGlfw_Shutdown(); ImGui::DestroyContext(); } };
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // no imgui.ini in the user's folder
    const float scale = float(std::clamp(o.ui_scale, 0.5, 4.0));
    ui.scale = scale;
    const char* ttf = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    if (fs::exists(ttf)) {
        io.Fonts->AddFontFromFileTTF(ttf, 15.0f * scale);
        ui.bigFont = io.Fonts->AddFontFromFileTTF(ttf, 44.0f * scale);
    } else {
        ImFontConfig cfg;
        cfg.SizePixels = 13.0f * scale;
        io.Fonts->AddFontDefault(&cfg);
    }
    ImGui::StyleColorsDark();
    ImGui::GetStyle().ScaleAllSizes(scale);
    ImGui_ImplGlfw_InitForOpenGL(win, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");
    ImGuiGuard imguiGuard;

    render::Renderer renderer(scene);
    ui.renderer = &renderer;
    if (session.live) session.live->start();
    int exitCode = 0;
    int scriptedFrames = 0;  // ImGui sizes auto-fitting windows on their first frames
    long long framesDrawn = 0;
    ForecastJob forecastJob;
    forecastJob.pending = o.forecast_at_start && o.forecast;
    const auto windowStart = std::chrono::steady_clock::now();
    auto lastTick = std::chrono::steady_clock::now();
    while (!glfwWindowShouldClose(win)) {
        glfwPollEvents();
        const auto tickNow = std::chrono::steady_clock::now();
        if (player) player->tick(std::min(0.25, std::chrono::duration<double>(tickNow - lastTick).count()));
        lastTick = tickNow;
        const auto snap = player ? player->snapshot() : session.live->snapshot();
        int fbw = 0, fbh = 0;
        glfwGetFramebufferSize(win, &fbw, &fbh);
        if (fbw <= 0 || fbh <= 0) {
            glfwWaitEventsTimeout(0.05);
            continue;
        }
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        ImGui::NewFrame();
        handleInput(ui, win, *snap, fbw, fbh);
        if (ui.tour && ui.tourStops > 0) {
            const auto now = std::chrono::steady_clock::now();
            if (std::chrono::duration<double>(now - ui.tourSince).count() >= o.tour_seconds) {
                ui.tourIndex = (ui.tourIndex + 1) % std::min(ui.tourStops, ui.bookmarks.size());
                ui.camera = ui.bookmarks[ui.tourIndex].second;
                ui.tourSince = now;
            }
        }
        render::Frame decorated;
        const render::Frame* frame = &snap->frame;
        if (o.decorate) {
            decorated = snap->frame;
            o.decorate(decorated);
            frame = &decorated;
        }
        const auto eyes = followCamera(ui, *frame);
        const render::Camera& cam = eyes ? *eyes : ui.camera;

        glBindFramebuffer(GL_FRAMEBUFFER, 0);
        glViewport(0, 0, fbw, fbh);
        render::DrawOptions drawNow = ui.draw;
        if (eyes) drawNow.walls = render::WallMode::Solid;  // from someone's eyes walls are whole
        renderer.draw(*frame, cam, drawNow, fbw, fbh);

        bigOverlay(ui, *snap);
        siteOverlay(ui, *frame);
        if (ui.panels) {
            legend(ui);
            timelinePanel(ui, *snap);
            if (!ui.player) directorPanel(ui, *snap);
            injectPanel(ui, *snap);
            viewPanel(ui, *snap);
            hazardPanel(ui, *frame, forecastJob);
        }
        ImGui::Render();
        glViewport(0, 0, fbw, fbh);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        ++framesDrawn;
        const bool forecastBusy = forecastJob.pending || forecastJob.running.valid();
        if (scripted && ++scriptedFrames > 2 && (player || snap->stopped_at_limit || snap->finished) && !(forecastBusy && ui.panels)) {
            if (!o.screenshot.empty()) {
                savePng(o.screenshot, fbw, fbh);
                std::printf("view: screenshot %s (%dx%d) at t=%.2f s\n", o.screenshot.c_str(), fbw, fbh, snap->time);
            }
            break;
        }
        glfwSwapBuffers(win);
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - windowStart).count();
    std::printf("view: %lld frames in %.1f s (%.1f frames/s, %s)\n", framesDrawn, wall, wall > 0 ? framesDrawn / wall : 0.0,
                reinterpret_cast<const char*>(glGetString(GL_RENDERER)));
    if (session.live) {
        session.live->stop();
        writeResults(session);
    }
    return exitCode;
}

// [SECTION] Video -------------------------------------------------------------------------------

int exportVideo(const ViewerOptions& o) {
    if (o.video_width < 16 || o.video_height < 16 || o.video_width > 16384 || o.video_height > 16384)
        throw InputError("--video-size: each side must be in [16, 16384] pixels");
    if (o.video_width % 2 || o.video_height % 2) throw InputError("--video-size: width and height must be even (H.264 with 4:2:0 colour)");
    if (!(o.video_fps > 0 && o.video_fps <= 240)) throw InputError("--fps must be in (0, 240]");
    std::unique_ptr<render::Replay> replay;
    std::unique_ptr<Scenario> replayScenario;
    Session session;
    if (!o.results.empty()) {
        auto [r, sc] = openReplay(o.results);
        replay = std::make_unique<render::Replay>(std::move(r));
        replayScenario = std::make_unique<Scenario>(std::move(sc));
    } else {
        session = startSession(o, true);
    }
    const Scenario& scenario = replay ? *replayScenario : session.live->simulation().scenario();
    const Scene& scene = scenario.scene;
    auto camera = render::findBookmark(scenario, o.camera);
    if (!camera) throw InputError(render::unknownCameraMessage(scenario, o.camera));
    auto context = render::OffscreenContext::create();
    render::OffscreenTarget target(o.video_width, o.video_height, 4);
    render::Renderer renderer(scene);
    render::DrawOptions draw;
    draw.colour_by = colourBy(o.colour);
    render::OffscreenOverlay overlay;  // clock, counters and legend, as in the window
    render::OverlayOptions overlayOpt;
    overlayOpt.title = replay ? replayScenario->name : session.live->simulation().scenario().name;
    overlayOpt.scale = float(std::clamp(o.ui_scale * o.video_height / 720.0, 0.5, 8.0));

    const fs::path out(o.video);
    if (out.has_parent_path()) fs::create_directories(out.parent_path());
    const std::string tmp = out.string() + ".part" + out.extension().string();
    char cmd[1024];
    std::snprintf(cmd, sizeof cmd, "ffmpeg -hide_banner -loglevel error -y -f rawvideo -pix_fmt rgb24 -s %dx%d -r %g -i - -pix_fmt yuv420p '%s'", o.video_width,
                  o.video_height, o.video_fps, tmp.c_str());
    FILE* pipe = popen(cmd, "w");
    if (!pipe) throw std::runtime_error("view --video: cannot start ffmpeg (Debian package ffmpeg)");
    if (session.live) session.live->start();
    int frames = 0;
    bool ok = true;
    const double last = replay ? std::min(o.exit_at, replay->endTime()) : o.exit_at;
    for (;; ++frames) {
        const double t = (replay ? std::max(o.video_from, replay->startTime()) : o.video_from) + frames * o.video_rate / o.video_fps;
        if (t > last + 1e-9) break;
        render::Frame frame;
        bool end = false;
        if (replay) {
            frame = replay->frameAt(t);
        } else {
            session.live->post(LiveCommand::runTo(t));
            const auto snap = session.live->waitUntil(t, 600.0, false);
            if (snap->time < t - 1e-9 && !snap->finished) { ok = false; break; }
            frame = snap->frame;
            end = snap->finished;
        }
        target.bind();
        renderer.draw(frame, *camera, draw, o.video_width, o.video_height);
        overlay.draw(frame, draw, overlayOpt, o.video_width, o.video_height);
        const auto rgb = target.readRgb();
        if (std::fwrite(rgb.data(), 1, rgb.size(), pipe) != rgb.size()) { ok = false; break; }
        if (end) { ++frames; break; }
    }
    const int rc = pclose(pipe);
    if (session.live) session.live->stop();
    if (!ok || rc != 0) {
        fs::remove(tmp);
        throw std::runtime_error("view --video: ffmpeg failed (exit " + std::to_string(rc) + ") writing " + o.video);
    }
    fs::rename(tmp, out);
    std::printf("view: %s, %d frames at %dx%d, %g fps (%s)\n", out.string().c_str(), frames, o.video_width, o.video_height, o.video_fps, context->renderer().c_str());
    if (session.live) writeResults(session);
    return 0;
}

}  // namespace safetwin::viewer
