// A scenario running live for the viewer: the LiveRun owns the Simulation and steps it on its own
// thread at the chosen speed (x0.25 .. x64 of real time, or as fast as it can for scripted runs),
// and publishes finished snapshots (a render::Frame plus the clock, the event log and the drill
// script's state) through a mutex-swapped shared_ptr. The window thread only reads snapshots and
// posts commands (play, pause, speed, step, director actions, inject control) to a queue, so a
// slow frame never slows or changes the run. Director buttons and scripted injects go through the
// same apply() on the simulation thread, and each action is written to the run's event log and
// to the after-action record.
//
// Pacing is a clamped accumulator (RecastDemo / Bullet max-substeps): wall time x speed is owed
// to the simulation, at most kMaxCatchUp seconds of wall time at once, so a stall never spirals.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "render/Frame.hpp"
#include "render/viewer/AfterAction.hpp"
#include "render/viewer/DrillScript.hpp"
#include "sim/run/Simulation.hpp"

namespace safetwin::viewer {

struct LiveCommand {
    enum class Kind { Play, Pause, SetSpeed, Step, RunTo, Door, Leak, Wind, Alarm, FireInject, SkipInject, PauseScript, Stop };
    Kind kind = Kind::Pause;
    double value = 0.0;                // speed factor; step seconds (0 = one time step); wind speed
    double value2 = 0.0;               // wind direction [deg]
    bool flag = false;                 // Door: closed; PauseScript: paused
    std::string target;                // door id
    LeakAction leak;
    size_t index = 0;                  // inject index

    static LiveCommand of(Kind k) { LiveCommand c; c.kind = k; return c; }

    static LiveCommand play() { return of(Kind::Play); }
    static LiveCommand pause() { return of(Kind::Pause); }
    static LiveCommand speed(double factor) { LiveCommand c = of(Kind::SetSpeed); c.value = factor; return c; }
    static LiveCommand step(double seconds = 0.0) { LiveCommand c = of(Kind::Step); c.value = seconds; return c; }
    /// Play and pause again at simulation time t (video export, scripted runs).
    static LiveCommand runTo(double t) { LiveCommand c = of(Kind::RunTo); c.value = t; return c; }
    static LiveCommand door(const std::string& id, bool closed) { LiveCommand c = of(Kind::Door); c.target = id; c.flag = closed; return c; }
    static LiveCommand leakAt(const LeakAction& l) { LiveCommand c = of(Kind::Leak); c.leak = l; return c; }
    static LiveCommand wind(double speed, double direction) { LiveCommand c = of(Kind::Wind); c.value = speed; c.value2 = direction; return c; }
    static LiveCommand alarm() { return of(Kind::Alarm); }
    static LiveCommand fireInject(size_t i) { LiveCommand c = of(Kind::FireInject); c.index = i; return c; }
    static LiveCommand skipInject(size_t i) { LiveCommand c = of(Kind::SkipInject); c.index = i; return c; }
    static LiveCommand pauseScript(bool paused) { LiveCommand c = of(Kind::PauseScript); c.flag = paused; return c; }
};

/// A message shown to the room (an inject's message, or why an action failed).
struct RoomMessage {
    double time = 0.0;
    std::string text;
    bool error = false;
};

/// What the window reads: one finished, immutable moment.
struct LiveSnapshot {
    render::Frame frame;
    double time = 0.0;                 // [Units: s]
    double speed = 1.0;
    bool playing = false;
    bool finished = false;             // the run is over (everyone out, stuck, or duration)
    bool stopped_at_limit = false;     // reached LiveOptions::stop_at
    double steps_per_s = 0.0;          // measured simulation rate (wall)
    Progress progress;
    std::vector<LoggedEvent> log;
    std::vector<Inject> injects;
    std::vector<InjectStatus> inject_status;
    bool script_paused = false;
    std::vector<RoomMessage> messages; // newest last
};

struct LiveOptions {
    double speed = 1.0;                // [Limit: [0.25, 64]] x real time
    bool playing = true;
    bool realtime = true;              // false: step as fast as possible (scripts, tests, video)
    double stop_at = std::numeric_limits<double>::infinity();  // pause here [Units: s]
    double publish_interval = 1.0 / 60.0;  // wall seconds between snapshots in real time
};

class LiveRun {
public:
    using FrameFn = std::function<render::Frame(const Simulation&)>;
    static constexpr double kMinSpeed = 0.25, kMaxSpeed = 64.0;
    static constexpr double kMaxCatchUp = 0.25;  // [Units: s of wall time]

    /// `frame` turns the simulation into a Frame (render::frameFromSimulation in the viewer).
    LiveRun(std::unique_ptr<Simulation> sim, FrameFn frame, LiveOptions options = {}, DrillScript script = {}, std::string scriptPath = "");
    ~LiveRun();
    LiveRun(const LiveRun&) = delete;
    LiveRun& operator=(const LiveRun&) = delete;

    void start();                      // starts the simulation thread
    void stop();                       // stops and joins it (also done by the destructor)
    void post(const LiveCommand& c);
    /// The latest snapshot (never null after construction).
    std::shared_ptr<const LiveSnapshot> snapshot() const;
    /// Blocks until the snapshot time reaches t, the run ends (or, with `orLimit`, stops at its
    /// stop_at limit), or `timeout_s` passes.
    std::shared_ptr<const LiveSnapshot> waitUntil(double t, double timeout_s, bool orLimit = true) const;

    /// After stop(): the simulation and the record (for summary.json and the after-action files).
    const Simulation& simulation() const { return *sim_; }
    const AfterActionRecord& record() const { return record_; }
    const DrillScript& script() const { return script_; }
    const std::string& scriptPath() const { return scriptPath_; }

private:
    void loop();
    void apply(const LiveCommand& c, const std::string& source, const Inject* inject = nullptr, bool early = false);
    void fireDue();
    void fire(size_t i, bool early);
    void publish();
    void note(const std::string& source, const Inject* inject, const std::string& outcome, const std::string& message);

    std::unique_ptr<Simulation> sim_;
    FrameFn frameFn_;
    LiveOptions opt_;
    DrillScript script_;
    std::string scriptPath_;
    AfterActionRecord record_;
    std::vector<RoomMessage> messages_;
    size_t loggedSeen_ = 0;            // event-log entries already in the record
    double stepsPerS_ = 0.0;
    double stepOwed_ = 0.0;            // seconds of simulation a Step command still owes

    mutable std::mutex qMutex_;
    std::condition_variable qCv_;
    std::deque<LiveCommand> queue_;
    bool quit_ = false;

    mutable std::mutex sMutex_;
    mutable std::condition_variable sCv_;
    std::shared_ptr<const LiveSnapshot> snap_;
    std::thread thread_;
};

/// The command an inject stands for (the same as the panel's button); Message gives none.
bool commandFor(const Inject& in, LiveCommand& out);

}  // namespace safetwin::viewer
