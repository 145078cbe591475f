// MQTT transport of the live feed on libmosquitto (Debian's libmosquitto-dev, MQTT 3.1.1).
//
// MqttClient is SafeTwin's host application: it subscribes to the plain JSON layout and to
// Sparkplug B, hands every message with its receive time to a LiveFeed (and a Recorder), sends
// the feed's rebirth requests, announces itself on spBv1.0/STATE/<host id> (retained, with a
// will saying offline) and survives the broker going away: libmosquitto's network thread
// reconnects with back-off while the feed marks every sensor stale and records the gap.
//
// MqttPublisher is a small blocking publisher for drills and tests (`safetwin live publish`).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "live/feed/LiveFeed.hpp"
#include "live/feed/Recorder.hpp"

struct mosquitto;
struct mosquitto_message;

namespace safetwin::live {

struct MqttOptions {
    std::string host = "127.0.0.1";
    int port = 1883;                   // [Limit: 1..65535]
    std::string client_id;             // "" = "safetwin-<pid>"
    std::string host_id = "safetwin";  // Sparkplug host application id (STATE topic)
    int keepalive_s = 5;               // MQTT keep-alive [Units: s]
    int reconnect_max_s = 2;           // back-off ceiling between reconnect attempts [Units: s]
    /// Subscriptions: the plain JSON layout and Sparkplug B.
    std::vector<std::string> topics = {"safetwin/+/sensors/+", "spBv1.0/#"};
};

/// Parses "host:port" (port 1883 if absent); InputError on a bad port.
MqttOptions parseBroker(const std::string& text);

class MqttClient {
  public:
    MqttClient(LiveFeed& feed, MqttOptions options, Recorder* recorder = nullptr);
    ~MqttClient();
    MqttClient(const MqttClient&) = delete;
    MqttClient& operator=(const MqttClient&) = delete;

    /// Starts the network thread; returns at once (a broker that is down is retried).
    void start();
    void stop();
    bool connected() const { return connected_.load(); }
    uint64_t messages() const { return messages_.load(); }
    /// Waits until connected and subscribed, or `timeout_s` passes; true if so.
    bool waitConnected(double timeout_s);

  private:
    static void onConnect(mosquitto*, void* self, int rc);
    static void onDisconnect(mosquitto*, void* self, int rc);
    static void onMessage(mosquitto*, void* self, const mosquitto_message* m);
    static void onSubscribe(mosquitto*, void* self, int mid, int qos_count, const int* granted);

    LiveFeed& feed_;
    MqttOptions options_;
    Recorder* recorder_;
    mosquitto* mosq_ = nullptr;
    std::atomic<bool> running_{false};  // read by the network thread
    std::atomic<bool> connected_{false};
    std::atomic<bool> subscribed_{false};  // the broker acknowledged the subscriptions
    std::atomic<uint64_t> messages_{0};
    std::mutex wait_mutex_;
    std::condition_variable wait_cv_;
};

class MqttPublisher {
  public:
    /// Connects (blocking, up to `timeout_s`); throws std::runtime_error naming the broker.
    /// A will (e.g. a Sparkplug NDEATH) is registered when `will_topic` is given.
    MqttPublisher(const MqttOptions& broker, double timeout_s = 5.0,
                  const std::string& will_topic = "", const std::string& will_payload = "");
    ~MqttPublisher();
    MqttPublisher(const MqttPublisher&) = delete;
    MqttPublisher& operator=(const MqttPublisher&) = delete;

    /// Queues one message; false if the client refused it (not connected, queue full).
    bool publish(const std::string& topic, const std::string& payload, int qos = 0,
                 bool retain = false);
    /// Waits until every queued message was written to the broker; false on timeout.
    bool flush(double timeout_s);
    /// Drops the connection without DISCONNECT, so the broker sends the will.
    void abort();

  private:
    static void onPublish(mosquitto*, void* self, int mid);
    static void onConnect(mosquitto*, void* self, int rc);

    mosquitto* mosq_ = nullptr;
    std::mutex mutex_;
    std::condition_variable cv_;
    uint64_t queued_ = 0, done_ = 0;
    bool connected_ = false;
    int connect_rc_ = -1;
};

}  // namespace safetwin::live
