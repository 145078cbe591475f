#include "render/viewer/LiveRun.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace safetwin::viewer {

namespace {
using Clock = std::chrono::steady_clock;
double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
constexpr size_t kMaxMessages = 50;
}  // namespace

bool commandFor(const Inject& in, LiveCommand& out) {
    switch (in.event) {
    case InjectEvent::CloseDoor: out = LiveCommand::door(in.target, true); return true;
    case InjectEvent::OpenDoor: out = LiveCommand::door(in.target, false); return true;
    case InjectEvent::StartLeak: {
        LeakAction l;
        l.id = in.id;
        l.level_id = in.level;
        l.at = in.at;
        l.rate = in.rate;
        l.height = in.height;
        l.duration = in.duration;
        out = LiveCommand::leakAt(l);
        return true;
    }
    case InjectEvent::SetWind: out = LiveCommand::wind(in.wind_speed, in.wind_direction); return true;
    case InjectEvent::RaiseAlarm: out = LiveCommand::alarm(); return true;
    case InjectEvent::Message: return false;
    }
    return false;
}

LiveRun::LiveRun(std::unique_ptr<Simulation> sim, FrameFn frame, LiveOptions options, DrillScript script, std::string scriptPath)
    : sim_(std::move(sim)), frameFn_(std::move(frame)), opt_(options), script_(std::move(script)), scriptPath_(std::move(scriptPath)) {
    opt_.speed = std::clamp(opt_.speed, kMinSpeed, kMaxSpeed);
    fireDue();  // injects at time 0 take effect before the first step
    publish();
}

LiveRun::~LiveRun() { stop(); }

void LiveRun::start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] { loop(); });
}

void LiveRun::stop() {
    {
        std::lock_guard<std::mutex> lock(qMutex_);
        quit_ = true;
    }
    qCv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void LiveRun::post(const LiveCommand& c) {
    {
        std::lock_guard<std::mutex> lock(qMutex_);
        queue_.push_back(c);
    }
    qCv_.notify_all();
}

std::shared_ptr<const LiveSnapshot> LiveRun::snapshot() const {
    std::lock_guard<std::mutex> lock(sMutex_);
    return snap_;
}

std::shared_ptr<const LiveSnapshot> LiveRun::waitUntil(double t, double timeout_s, bool orLimit) const {
    std::unique_lock<std::mutex> lock(sMutex_);
    sCv_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                  [&] { return snap_->time >= t - 1e-9 || snap_->finished || (orLimit && snap_->stopped_at_limit); });
    return snap_;
}

void LiveRun::note(const std::string& source, const Inject* inject, const std::string& outcome, const std::string& message) {
    // Every event-log entry not yet in the record becomes an entry; the first one carries the
    // inject (an inject is one action).
    const auto& log = sim_->eventLog();
    bool first = true;
    if (loggedSeen_ == log.size() && !inject && outcome.empty() && message.empty()) return;
    const Progress p = progressOf(*sim_);
    for (; loggedSeen_ < log.size(); ++loggedSeen_) {
        const LoggedEvent& e = log[loggedSeen_];
        AfterActionEntry a;
        a.time = e.time;
        a.source = e.source == "scenario" ? "scenario" : inject ? "inject" : source;
        if (inject && first) {
            a.inject = inject->id;
            a.planned = inject->time;
            a.message = inject->message;
            a.outcome = outcome;
        }
        a.action = e.action;
        a.target = e.target;
        a.detail = e.detail;
        a.progress = p;
        record_.add(std::move(a));
        first = false;
    }
    if (first && (inject || !outcome.empty())) {  // nothing logged: a message, a skip or a failure
        AfterActionEntry a;
        a.time = sim_->time();
        a.source = inject ? "inject" : source;
        if (inject) {
            a.inject = inject->id;
            a.planned = inject->time;
            a.action = outcome == "skipped" ? "skip" : injectEventName(inject->event);
            a.target = inject->target;
            a.message = inject->message;
        }
        a.outcome = outcome.empty() ? "done" : outcome;
        if (!inject) a.detail = message;
        a.progress = p;
        record_.add(std::move(a));
    }
    if (!message.empty()) {
        messages_.push_back({sim_->time(), message, outcome.rfind("failed", 0) == 0});
        if (messages_.size() > kMaxMessages) messages_.erase(messages_.begin());
    }
}

void LiveRun::apply(const LiveCommand& c, const std::string& source, const Inject* inject, bool early) {
    using K = LiveCommand::Kind;
    const std::string outcome = early ? "early" : "done";
    try {
        switch (c.kind) {
        case K::Play: opt_.playing = true; break;
        case K::Pause: opt_.playing = false; break;
        case K::SetSpeed: opt_.speed = std::clamp(c.value, kMinSpeed, kMaxSpeed); break;
        case K::Step: stepOwed_ += c.value > 0.0 ? c.value : sim_->dt(); break;
        case K::RunTo: opt_.stop_at = c.value; opt_.playing = true; break;
        case K::Door: sim_->directDoor(c.target, c.flag, inject ? "inject " + inject->id : source); break;
        case K::Leak: sim_->directLeak(c.leak, inject ? "inject " + inject->id : source); break;
        case K::Wind: sim_->directWind(c.value, c.value2, inject ? "inject " + inject->id : source); break;
        case K::Alarm: sim_->directAlarm(inject ? "inject " + inject->id : source); break;
        case K::FireInject:
            if (c.index < script_.injects().size() && script_.status()[c.index].state == InjectState::Pending) fire(c.index, true);
            return;
        case K::SkipInject:
            if (c.index < script_.injects().size() && script_.status()[c.index].state == InjectState::Pending) {
                script_.markSkipped(c.index, sim_->time());
                note(source, &script_.injects()[c.index], "skipped", "");
            }
            return;
        case K::PauseScript: script_.setPaused(c.flag); return;
        case K::Stop: opt_.playing = false; return;
        }
    } catch (const std::exception& e) {
        if (inject) throw;
        note(source, nullptr, std::string("failed: ") + e.what(), std::string("Action failed: ") + e.what());
        return;
    }
    const bool action = c.kind == K::Door || c.kind == K::Leak || c.kind == K::Wind || c.kind == K::Alarm;
    if (action && !inject) note(source, nullptr, outcome, "");
}

void LiveRun::fire(size_t i, bool early) {
    const Inject& in = script_.injects()[i];
    LiveCommand c;
    try {
        if (commandFor(in, c)) apply(c, "inject", &in, early);
        script_.markFired(i, sim_->time(), early);
        note("inject", &in, early ? "early" : "done", in.message);
    } catch (const std::exception& e) {
        script_.markFailed(i, sim_->time(), e.what());
        note("inject", &in, std::string("failed: ") + e.what(), "Inject " + in.id + " failed: " + e.what());
    }
}

void LiveRun::fireDue() {
    for (size_t i : script_.due(sim_->time())) fire(i, false);
}

void LiveRun::publish() {
    auto s = std::make_shared<LiveSnapshot>();
    s->frame = frameFn_ ? frameFn_(*sim_) : render::Frame{};
    s->time = sim_->time();
    s->speed = opt_.speed;
    s->playing = opt_.playing;
    s->finished = sim_->finished();
    s->stopped_at_limit = sim_->time() >= opt_.stop_at - 1e-9;
    s->steps_per_s = stepsPerS_;
    s->progress = progressOf(*sim_);
    s->log = sim_->eventLog();
    s->injects = script_.injects();
    s->inject_status = script_.status();
    s->script_paused = script_.paused();
    s->messages = messages_;
    {
        std::lock_guard<std::mutex> lock(sMutex_);
        snap_ = std::move(s);
    }
    sCv_.notify_all();
}

void LiveRun::loop() {
    auto last = Clock::now();
    auto lastPublish = last;
    double owed = 0.0;  // simulation seconds owed to real time x speed
    bool dirty = false;
    for (;;) {
        std::deque<LiveCommand> cmds;
        {
            std::unique_lock<std::mutex> lock(qMutex_);
            const bool idle = (!opt_.playing && stepOwed_ <= 0.0) || sim_->finished() || sim_->time() >= opt_.stop_at - 1e-9;
            if (idle && queue_.empty() && !quit_ && !dirty) qCv_.wait_for(lock, std::chrono::milliseconds(50));
            if (quit_) break;
            cmds.swap(queue_);
        }
        for (const LiveCommand& c : cmds) apply(c, "director");
        if (!cmds.empty()) dirty = true;

        const auto now = Clock::now();
        const double wall = std::min(seconds(now - last), kMaxCatchUp);
        last = now;
        const bool atLimit = sim_->time() >= opt_.stop_at - 1e-9;
        bool canStep = !sim_->finished() && !atLimit;
        if (!opt_.playing || !canStep) owed = 0.0;
        else owed += opt_.realtime ? wall * opt_.speed : 0.0;

        // Steps this round: owed real time, a Step command, or a chunk when running flat out.
        const auto t0 = Clock::now();
        int steps = 0;
        const double dt = sim_->dt();
        while (canStep) {
            bool want = false;
            if (stepOwed_ > 0.5 * dt) { want = true; stepOwed_ -= dt; }
            else if (opt_.playing && opt_.realtime && owed >= dt) { want = true; owed -= dt; }
            else if (opt_.playing && !opt_.realtime) want = seconds(Clock::now() - t0) < 0.05;
            if (!want) break;
            fireDue();
            sim_->step();
            note("scenario", nullptr, "", "");  // scheduled scenario events
            ++steps;
            canStep = !sim_->finished() && sim_->time() < opt_.stop_at - 1e-9;
            if (opt_.realtime && seconds(Clock::now() - t0) > kMaxCatchUp) { owed = std::min(owed, dt); break; }
        }
        if (!canStep) stepOwed_ = 0.0;
        if (steps > 0) {
            fireDue();  // injects due at the new time take effect before it is shown
            const double w = seconds(Clock::now() - t0);
            if (w > 0.0) stepsPerS_ = 0.8 * stepsPerS_ + 0.2 * double(steps) / w;
            dirty = true;
        }
        const auto pubNow = Clock::now();
        if (dirty && (!opt_.realtime || seconds(pubNow - lastPublish) >= opt_.publish_interval || !canStep || !opt_.playing)) {
            publish();
            lastPublish = pubNow;
            dirty = false;
        } else if (opt_.realtime && opt_.playing && canStep && steps == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    publish();
}

}  // namespace safetwin::viewer
