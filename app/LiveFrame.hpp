// The live sensor state drawn by the viewer and offscreen renders: LiveState (live/feed) as the
// Frame's SensorSample list (render/Frame.hpp). Here in app/, the one place that sees both
// layers; header-only, plain data.
//
// Alarm states map as: normal -> Normal; active unacknowledged -> Warning or Active by severity;
// active acknowledged -> Acknowledged; returned unacknowledged -> Cleared; shelved -> Shelved.
// Quality maps one to one; a sensor is drawn as safe only when its quality is Good.
#pragma once

#include <vector>

#include "live/feed/LiveState.hpp"
#include "render/Frame.hpp"

namespace safetwin {

inline render::SensorQuality toFrameQuality(live::Quality q) {
    switch (q) {
        case live::Quality::Good:
            return render::SensorQuality::Good;
        case live::Quality::Bad:
            return render::SensorQuality::Bad;
        case live::Quality::Stale:
            return render::SensorQuality::Stale;
        case live::Quality::Unknown:
            break;
    }
    return render::SensorQuality::Unknown;
}

inline render::AlarmState toFrameAlarm(const live::SensorState& s) {
    switch (s.alarm) {
        case live::AlarmState::Normal:
            return render::AlarmState::Normal;
        case live::AlarmState::ActiveUnacknowledged:
            return s.severity == live::Severity::Alarm ? render::AlarmState::Active
                                                       : render::AlarmState::Warning;
        case live::AlarmState::ActiveAcknowledged:
            return render::AlarmState::Acknowledged;
        case live::AlarmState::ReturnedUnacknowledged:
            return render::AlarmState::Cleared;
        case live::AlarmState::Shelved:
            return render::AlarmState::Shelved;
    }
    return render::AlarmState::Normal;
}

/// One SensorSample per configured sensor, in scenario order (value 0 when none yet).
inline std::vector<render::SensorSample> sensorSamples(const live::LiveState& state) {
    std::vector<render::SensorSample> out;
    out.reserve(state.sensors.size());
    for (const live::SensorState& s : state.sensors) {
        render::SensorSample r;
        r.id = s.id;
        r.x = float(s.x);
        r.y = float(s.y);
        r.z = float(s.z);
        r.value = s.has_value ? float(s.value) : 0.0f;
        r.unit = s.unit;
        r.quality = toFrameQuality(s.quality);
        r.alarm = toFrameAlarm(s);
        for (auto e = state.journal.rbegin(); e != state.journal.rend(); ++e)  // the latest transition
            if (e->sensor == s.id) {
                r.alarm_since = e->time;
                break;
            }
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace safetwin
