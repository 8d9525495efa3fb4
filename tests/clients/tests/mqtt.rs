//! minimq (MQTT 5, over embedded-nal) on the TAP board against mosquitto on
//! the kernel side: connect, subscribe, publish, and receive its own message
//! back through the broker.

use std::time::{Duration, Instant};

use minimq::{ConfigBuilder, Minimq, Publication, broker::IpBroker};
use usocket_clients::{KERNEL, Link, MonoClock, can_run};
use usocket_host::net::Nal;

/// The whole exchange's budget.
const BUDGET: Duration = Duration::from_secs(20);

#[test]
fn minimq_subscribes_publishes_and_gets_its_message_back_from_mosquitto() {
    if !can_run("mqtt") {
        return;
    }
    let mut link = Link::new("mqtt");
    let conf = std::env::temp_dir().join(format!("usocket-mosquitto-{}.conf", std::process::id()));
    std::fs::write(&conf, format!("listener 1883 {KERNEL}\nallow_anonymous true\n")).expect("write mosquitto.conf");
    link.server(1883, "mosquitto", &["-c", conf.to_str().expect("utf-8 path")]);

    let payload = format!("hello from usocket {}", std::process::id());
    let expected = payload.clone();
    let (got, polls) = link.on_board(move |net| {
        let mut buffer = [0u8; 1024];
        let config = ConfigBuilder::new(IpBroker::new(KERNEL.into()), &mut buffer).client_id("usocket-minimq").expect("client id");
        let mut mqtt: Minimq<'_, _, _, IpBroker> = Minimq::new(Nal::new(net), MonoClock::default(), config);
        let until = Instant::now() + BUDGET;
        let (mut subscribed, mut published, mut got, mut polls) = (false, false, None, 0u32);
        while got.is_none() {
            assert!(
                Instant::now() < until,
                "no message back within {BUDGET:?} (connected: {}, subscribed: {subscribed}, published: {published})",
                mqtt.client().is_connected()
            );
            polls += 1;
            if mqtt.client().is_connected() && !subscribed {
                mqtt.client().subscribe(&["usocket/test".into()], &[]).expect("subscribe");
                subscribed = true;
            }
            if subscribed && !published && !mqtt.client().subscriptions_pending() {
                mqtt.client().publish(Publication::new("usocket/test", payload.as_bytes())).expect("publish");
                published = true;
            }
            if let Some(message) = mqtt.poll(|_client, topic, message, _props| (topic == "usocket/test").then(|| message.to_vec())).expect("poll").flatten() {
                got = Some(message);
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        (got, polls)
    });
    let _ = std::fs::remove_file(&conf);
    assert_eq!(got.as_deref(), Some(expected.as_bytes()), "the broker sent our publication back");
    eprintln!("mqtt: message back from mosquitto after {polls} polls");
}
