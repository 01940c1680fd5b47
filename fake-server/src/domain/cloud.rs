//! The fake cloud: every server, the clock, and the timing rules, behind one synchronous API.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use super::clock::Clock;
use super::index::{Bounds, Index};
use super::lifecycle::{Action, TransitionError, create_walk, plan_action};
use super::server::{Advance, Fault, Server, ServerId, Timeline, Walk};
use super::state::{TaskState, VmState};

/// What to create when seeding or booting a server.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewServer {
    /// Name (a generated one when `None`).
    pub name: Option<String>,
    /// Owning project.
    pub project_id: String,
    /// Owning user id.
    pub user_id: String,
    /// Initial vm_state.
    pub vm_state: Option<VmState>,
    /// Initial task_state.
    pub task_state: Option<TaskState>,
    /// Initial power state (`None`: the one consistent with the vm_state).
    pub power_state: Option<Option<i64>>,
    /// Locked from the start.
    pub locked: bool,
    /// Flavor id.
    pub flavor_id: String,
    /// Image id (`None` for volume-backed).
    pub image_id: Option<String>,
    /// Metadata.
    pub metadata: Vec<(String, String)>,
    /// Description.
    pub description: Option<String>,
    /// A status reported instead of the derived one.
    pub status_override: Option<String>,
    /// A scripted timeline (its first step is the initial state).
    pub timeline: Option<Timeline>,
    /// `accessIPv4`.
    pub access_ipv4: Option<String>,
    /// `accessIPv6`.
    pub access_ipv6: Option<String>,
    /// Security group names (`None`: `default`, when the server has a network).
    pub security_groups: Option<Vec<String>>,
    /// Booted with `networks: "none"`: no ports, so no addresses or security groups.
    pub without_network: bool,
}

/// What a listing's filters let an ordered walk skip; the caller still applies every filter
/// to what the walk yields (see [`Cloud::servers_narrowed`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrowing {
    /// Only servers in one of these vm_states can match (`None`: any).
    pub vm_states: Option<Vec<VmState>>,
    /// Only servers updated at or after this time (Unix seconds) can match.
    pub updated_since: Option<i64>,
}

/// The cloud's timing configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// How long each task step lasts, in clock milliseconds.
    pub step_ms: u64,
    /// Soft-delete reclaim interval in clock milliseconds (`None`: DELETE destroys at once).
    pub reclaim_ms: Option<u64>,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            step_ms: 500,
            reclaim_ms: None,
        }
    }
}

/// All servers plus the clock.
///
/// ```
/// use fake_server::domain::{Action, Clock, Cloud, NewServer, Timing, VmState};
/// // Arrange
/// let mut cloud = Cloud::new(Clock::manual(), Timing { step_ms: 1000, reclaim_ms: None });
/// let id = cloud.insert(NewServer { vm_state: Some(VmState::Active), ..Default::default() });
/// // Act
/// cloud.act(&id, &Action::Stop, false).unwrap();
/// let during = cloud.get(&id).unwrap().task_state.clone();
/// cloud.advance_clock(1000).unwrap();
/// // Assert
/// assert_eq!(during.unwrap().as_str(), "powering-off");
/// assert_eq!(cloud.get(&id).unwrap().vm_state, Some(VmState::Stopped));
/// ```
#[derive(Debug)]
pub struct Cloud {
    clock: Clock,
    timing: Timing,
    servers: BTreeMap<u64, Server>,
    /// Destroyed servers (vm_state `deleted`), listed only where Nova lists deleted rows.
    tombstones: BTreeMap<u64, Server>,
    by_id: HashMap<ServerId, u64>,
    /// Tombstones by id (a destroyed server is still a valid listing marker).
    dead_by_id: HashMap<ServerId, u64>,
    /// Live servers by vm_state, and the latest update per block of sequence numbers.
    index: Index,
    moving: BTreeSet<u64>,
    next_seq: u64,
    ids: IdGenerator,
}

impl Cloud {
    /// An empty cloud.
    pub fn new(clock: Clock, timing: Timing) -> Self {
        Cloud {
            clock,
            timing,
            servers: BTreeMap::new(),
            tombstones: BTreeMap::new(),
            by_id: HashMap::new(),
            dead_by_id: HashMap::new(),
            index: Index::default(),
            moving: BTreeSet::new(),
            next_seq: 0,
            ids: IdGenerator::from_time(),
        }
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The timing rules.
    pub fn timing(&self) -> Timing {
        self.timing
    }

    /// Current clock time.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// Advances a manual clock and applies every walk; returns the new time.
    pub fn advance_clock(&mut self, ms: u64) -> Result<u64, super::clock::AdvanceClockError> {
        let now = self.clock.advance(ms)?;
        self.tick();
        Ok(now)
    }

    /// Removes every server and resets the clock.
    pub fn reset(&mut self) {
        self.servers.clear();
        self.tombstones.clear();
        self.by_id.clear();
        self.dead_by_id.clear();
        self.index.clear();
        self.moving.clear();
        self.clock.reset();
    }

    /// Applies walks and reclaim timers up to now. Cheap when nothing is moving.
    pub fn tick(&mut self) {
        self.reindex();
        if self.moving.is_empty() {
            return;
        }
        let now = self.clock.now_ms();
        let Timing {
            step_ms,
            reclaim_ms,
        } = self.timing;
        let mut removed = Vec::new();
        let mut settled = Vec::new();
        for seq in &self.moving {
            if let Some(server) = self.servers.get_mut(seq) {
                self.index.touch(*seq, server.vm_state.clone());
                match server.advance(now, step_ms, reclaim_ms) {
                    Advance::Removed => removed.push(*seq),
                    Advance::Alive if !server.is_moving() => settled.push(*seq),
                    Advance::Alive => {}
                }
            }
        }
        for seq in settled {
            self.moving.remove(&seq);
        }
        for seq in removed {
            self.remove(seq);
        }
        self.reindex();
    }

    /// Re-indexes the servers changed through a `&mut Server` since the last call.
    fn reindex(&mut self) {
        if !self.index.is_dirty() {
            return;
        }
        for seq in self.index.take_dirty() {
            if let Some(s) = self.servers.get(&seq) {
                self.index.add(seq, s.vm_state.as_ref(), s.updated_unix);
            }
        }
    }

    /// Inserts a server as given (seeding); returns its id.
    pub fn insert(&mut self, new: NewServer) -> ServerId {
        let seq = self.next_seq;
        self.next_seq += 1;
        let id = ServerId::new(self.ids.next_uuid());
        let now = unix_now();
        let power_state = match new.power_state {
            Some(explicit) => explicit,
            None => Some(
                new.vm_state
                    .as_ref()
                    .map_or(0, VmState::consistent_power_state),
            ),
        };
        let fault = (new.vm_state == Some(VmState::Error)).then(|| Fault {
            code: 500,
            message: "Seeded in vm_state error by the fake".to_owned(),
            details: "fake-server: no traceback".to_owned(),
            created_unix: now,
        });
        let mut server = Server {
            id: id.clone(),
            name: new.name.unwrap_or_else(|| format!("server-{seq}")),
            project_id: new.project_id,
            user_id: new.user_id,
            vm_state: new.vm_state,
            task_state: new.task_state,
            power_state,
            locked: new.locked,
            locked_reason: None,
            flavor_id: new.flavor_id,
            image_id: new.image_id,
            description: new.description,
            metadata: new.metadata,
            created_unix: now,
            updated_unix: now,
            fault,
            walk: None,
            resize_from: None,
            reclaim_at_ms: None,
            seq,
            status_override: new.status_override,
            timeline: new.timeline,
            access_ipv4: new.access_ipv4,
            access_ipv6: new.access_ipv6,
            security_groups: match (new.without_network, new.security_groups) {
                (true, _) => Vec::new(),
                (false, Some(groups)) => groups,
                (false, None) => vec!["default".to_owned()],
            },
            networked: !new.without_network,
            old_flavor: None,
            terminated_unix: None,
        };
        server.show_step();
        self.index
            .add(seq, server.vm_state.as_ref(), server.updated_unix);
        self.by_id.insert(id.clone(), seq);
        self.servers.insert(seq, server);
        id
    }

    /// Makes room for `additional` more servers (before seeding many at once).
    pub fn reserve(&mut self, additional: usize) {
        self.by_id.reserve(additional);
    }

    /// Boots a server: it walks through building to active.
    pub fn create(&mut self, mut new: NewServer) -> ServerId {
        new.vm_state = Some(VmState::Building);
        new.task_state = Some(TaskState::Scheduling);
        new.power_state = Some(Some(0));
        let id = self.insert(new);
        let walk = create_walk(self.clock.now_ms());
        self.start_walk(&id, walk);
        id
    }

    /// A server by id, after applying its timers.
    pub fn get(&mut self, id: &ServerId) -> Option<&Server> {
        self.tick();
        let seq = self.by_id.get(id)?;
        self.servers.get(seq)
    }

    /// A poll of a server by its owner: a scripted timeline shows its current step and moves
    /// on (see [`Timeline`]); a server whose timeline reached `gone` is removed. Servers
    /// without a timeline are returned as [`Cloud::get`] does.
    pub fn poll(&mut self, id: &ServerId) -> Option<&Server> {
        self.tick();
        let seq = *self.by_id.get(id)?;
        let server = self.servers.get_mut(&seq)?;
        self.index.touch(seq, server.vm_state.clone());
        let alive = server.poll();
        if !alive {
            self.remove(seq);
            return None;
        }
        self.servers.get(&seq)
    }

    /// Destroys a server, keeping a `deleted` tombstone as Nova keeps the row.
    fn remove(&mut self, seq: u64) {
        self.reindex();
        self.moving.remove(&seq);
        if let Some(mut server) = self.servers.remove(&seq) {
            self.by_id.remove(&server.id);
            self.index.remove(seq, server.vm_state.as_ref());
            let now = unix_now();
            server.vm_state = Some(VmState::Deleted);
            server.task_state = None;
            server.power_state = Some(0);
            server.walk = None;
            server.timeline = None;
            server.status_override = None;
            server.reclaim_at_ms = None;
            server.updated_unix = now;
            server.terminated_unix = Some(now);
            server.security_groups.clear();
            self.index.raise_dead(seq, now);
            self.dead_by_id.insert(server.id.clone(), seq);
            self.tombstones.insert(seq, server);
        }
    }

    /// Every server, destroyed ones included (as `deleted` tombstones), newest first.
    pub fn servers_and_tombstones(&mut self) -> impl Iterator<Item = &Server> {
        self.tick();
        let mut live = self.servers.values().rev().peekable();
        let mut dead = self.tombstones.values().rev().peekable();
        std::iter::from_fn(move || match (live.peek(), dead.peek()) {
            (Some(a), Some(b)) if b.seq > a.seq => dead.next(),
            (Some(_), _) => live.next(),
            (None, _) => dead.next(),
        })
    }

    /// Whether an action is allowed now, without starting it (`Ok(false)`: no such server).
    pub fn check_action(
        &mut self,
        id: &ServerId,
        action: &Action,
        is_admin: bool,
    ) -> Result<bool, TransitionError> {
        Ok(self.plan(id, action, is_admin)?.is_some())
    }

    /// Brings the clock up to date, then plans `action` on server `id` (`Ok(None)`: no such
    /// server).
    fn plan(
        &mut self,
        id: &ServerId,
        action: &Action,
        is_admin: bool,
    ) -> Result<Option<Walk>, TransitionError> {
        self.tick();
        let now = self.clock.now_ms();
        match self.by_id.get(id).and_then(|seq| self.servers.get(seq)) {
            None => Ok(None),
            Some(server) => plan_action(server, action, is_admin, now).map(Some),
        }
    }

    /// A server by id, for direct edits (no timers applied).
    pub fn get_mut(&mut self, id: &ServerId) -> Option<&mut Server> {
        let seq = self.by_id.get(id)?;
        let server = self.servers.get_mut(seq)?;
        self.index.touch(*seq, server.vm_state.clone());
        server.updated_unix = unix_now();
        Some(server)
    }

    /// A server by id, for edits that do not count as an update (no `updated` change).
    pub fn get_mut_quiet(&mut self, id: &ServerId) -> Option<&mut Server> {
        let seq = self.by_id.get(id)?;
        let server = self.servers.get_mut(seq)?;
        self.index.touch(*seq, server.vm_state.clone());
        Some(server)
    }

    /// Stops any walk on a server (used when the control plane sets a state by hand).
    pub fn halt(&mut self, id: &ServerId) {
        if let Some(seq) = self.by_id.get(id).copied() {
            self.moving.remove(&seq);
            if let Some(s) = self.servers.get_mut(&seq) {
                s.walk = None;
                s.reclaim_at_ms = None;
            }
        }
    }

    /// Every server, newest first, after applying timers.
    pub fn servers(&mut self) -> impl Iterator<Item = &Server> {
        self.tick();
        self.servers.values().rev()
    }

    /// Servers newest first (with `tombstones`, destroyed ones too), starting just after the
    /// server `marker` (older than it, live or destroyed) when given, after applying timers;
    /// `None` when the marker does not exist.
    ///
    /// A page costs the servers it skips and returns, whatever the size of the cloud: the
    /// marker is found by id and the walk starts there.
    ///
    /// ```
    /// use fake_server::domain::{Clock, Cloud, NewServer, ServerId, Timing};
    /// // Arrange
    /// let mut cloud = Cloud::new(Clock::manual(), Timing::default());
    /// let ids: Vec<_> = (0..3).map(|_| cloud.insert(NewServer::default())).collect();
    /// // Act
    /// let after_newest: Vec<_> = cloud.servers_after(Some(&ids[2]), false).unwrap().map(|s| s.id.clone()).collect();
    /// // Assert
    /// assert_eq!(after_newest, [ids[1].clone(), ids[0].clone()]);
    /// assert!(cloud.servers_after(Some(&ServerId::new("nope")), true).is_none());
    /// ```
    pub fn servers_after<'a>(
        &'a mut self,
        marker: Option<&ServerId>,
        tombstones: bool,
    ) -> Option<impl Iterator<Item = &'a Server> + use<'a>> {
        self.servers_narrowed(marker, tombstones, &Narrowing::default())
    }

    /// As [`Cloud::servers_after`], skipping servers that `narrowing` rules out through the
    /// indexes (by vm_state; by the latest update per block of servers): a filtered page costs
    /// the servers it can match, not the cloud's size. What is yielded is a superset of the
    /// servers the narrowing allows, newest first.
    ///
    /// ```
    /// use fake_server::domain::{Clock, Cloud, Narrowing, NewServer, Timing, VmState};
    /// // Arrange
    /// let mut cloud = Cloud::new(Clock::manual(), Timing::default());
    /// let vm = |v| NewServer { vm_state: Some(v), ..Default::default() };
    /// let (a, _, c) = (cloud.insert(vm(VmState::Stopped)), cloud.insert(vm(VmState::Active)), cloud.insert(vm(VmState::Stopped)));
    /// let stopped = Narrowing { vm_states: Some(vec![VmState::Stopped]), ..Default::default() };
    /// // Act
    /// let ids: Vec<_> = cloud.servers_narrowed(None, false, &stopped).unwrap().map(|s| s.id.clone()).collect();
    /// // Assert
    /// assert_eq!(ids, [c, a]);
    /// ```
    pub fn servers_narrowed<'a>(
        &'a mut self,
        marker: Option<&ServerId>,
        tombstones: bool,
        narrowing: &Narrowing,
    ) -> Option<impl Iterator<Item = &'a Server> + use<'a>> {
        self.tick();
        let end = match marker {
            None => u64::MAX,
            Some(id) => *self.by_id.get(id).or_else(|| self.dead_by_id.get(id))?,
        };
        let live = self.live_below(end, narrowing);
        let dead = if tombstones {
            self.dead_below(end, narrowing)
        } else {
            Box::new(std::iter::empty())
        };
        let (mut live, mut dead) = (live.peekable(), dead.peekable());
        Some(std::iter::from_fn(move || {
            match (live.peek(), dead.peek()) {
                (Some(a), Some(b)) if b.seq > a.seq => dead.next(),
                (Some(_), _) => live.next(),
                (None, _) => dead.next(),
            }
        }))
    }

    /// Live servers with a sequence number below `end`, newest first, narrowed.
    fn live_below<'a>(
        &'a self,
        end: u64,
        narrowing: &Narrowing,
    ) -> Box<dyn Iterator<Item = &'a Server> + 'a> {
        if let Some(vms) = &narrowing.vm_states {
            let unique: std::collections::BTreeSet<&VmState> = vms.iter().collect();
            let sets: Vec<_> = unique
                .into_iter()
                .filter_map(|vm| self.index.in_state(vm))
                .collect();
            let seqs = merge_newest_first(
                sets.into_iter()
                    .map(move |set| set.range(..end).rev().copied()),
            );
            return Box::new(seqs.filter_map(|seq| self.servers.get(&seq)));
        }
        let bounds = self.index.bounds(false);
        newest_below(&self.servers, bounds, end, narrowing.updated_since)
    }

    /// Tombstones (all in vm_state `deleted`) below `end`, newest first, narrowed.
    fn dead_below<'a>(
        &'a self,
        end: u64,
        narrowing: &Narrowing,
    ) -> Box<dyn Iterator<Item = &'a Server> + 'a> {
        let deleted = VmState::Deleted;
        if narrowing
            .vm_states
            .as_ref()
            .is_some_and(|vms| !vms.contains(&deleted))
        {
            return Box::new(std::iter::empty());
        }
        let bounds = self.index.bounds(true);
        newest_below(&self.tombstones, bounds, end, narrowing.updated_since)
    }

    /// Number of servers.
    pub fn len(&self) -> usize {
        self.servers.len()
    }

    /// Whether there are no servers.
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }

    /// Checks and starts an action. `is_admin` bypasses locks.
    ///
    /// Returns `Ok(false)` if the server does not exist.
    pub fn act(
        &mut self,
        id: &ServerId,
        action: &Action,
        is_admin: bool,
    ) -> Result<bool, TransitionError> {
        let Some(walk) = self.plan(id, action, is_admin)? else {
            return Ok(false);
        };
        if let Some(s) = self.get_mut(id) {
            match action {
                Action::Resize { .. } => {
                    s.resize_from = s.vm_state.clone();
                    s.old_flavor = Some(s.flavor_id.clone());
                }
                Action::ConfirmResize | Action::RevertResize => s.old_flavor = None,
                _ => {}
            }
        }
        self.start_walk(id, walk);
        Ok(true)
    }

    fn start_walk(&mut self, id: &ServerId, walk: Walk) {
        let Some(seq) = self.by_id.get(id).copied() else {
            return;
        };
        if let Some(s) = self.servers.get_mut(&seq) {
            self.index.touch(seq, s.vm_state.clone());
            s.walk = Some(walk);
            s.reclaim_at_ms = None;
            s.updated_unix = unix_now();
        }
        self.moving.insert(seq);
        self.tick();
    }
}

/// Merges sequence numbers, each iterator newest first, into one newest-first stream.
fn merge_newest_first<I: Iterator<Item = u64>>(
    its: impl Iterator<Item = I>,
) -> impl Iterator<Item = u64> {
    let mut its: Vec<std::iter::Peekable<I>> = its.map(Iterator::peekable).collect();
    std::iter::from_fn(move || {
        let (_, next) = its
            .iter_mut()
            .enumerate()
            .filter_map(|(i, it)| it.peek().map(|seq| (*seq, i)))
            .max()?;
        its[next].next()
    })
}

/// `map`'s servers below `end`, newest first; with `since`, only those [`recent_below`] keeps.
fn newest_below<'a>(
    map: &'a BTreeMap<u64, Server>,
    bounds: &'a Bounds,
    end: u64,
    since: Option<i64>,
) -> Box<dyn Iterator<Item = &'a Server> + 'a> {
    match since {
        Some(since) => Box::new(recent_below(map, bounds, end, since)),
        None => Box::new(map.range(..end).rev().map(|(_, s)| s)),
    }
}

/// The servers of `map` below `end`, newest first, skipping the blocks of sequence numbers the
/// index shows were all updated before `since`.
fn recent_below<'a>(
    map: &'a BTreeMap<u64, Server>,
    bounds: &'a Bounds,
    end: u64,
    since: i64,
) -> impl Iterator<Item = &'a Server> + 'a {
    let mut end = end;
    let mut block = map.range(0..0).rev();
    std::iter::from_fn(move || {
        loop {
            if let Some((_, s)) = block.next() {
                return Some(s);
            }
            let top = bounds.recent_end(end, since)?;
            let start = (top - 1) / super::index::BLOCK * super::index::BLOCK;
            block = map.range(start..top).rev();
            end = start;
        }
    })
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// Generates UUID-v4-shaped ids from a splitmix64 stream.
#[derive(Debug, Clone)]
pub(crate) struct IdGenerator {
    state: u64,
}

impl IdGenerator {
    pub(crate) fn from_time() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        IdGenerator {
            state: (nanos as u64) ^ 0x9E37_79B9_7F4A_7C15,
        }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn next_uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        let hi = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
        let lo = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xFFFF,
            hi & 0xFFFF,
            lo >> 48,
            lo & 0xFFFF_FFFF_FFFF
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cloud() -> Cloud {
        Cloud::new(
            Clock::manual(),
            Timing {
                step_ms: 100,
                reclaim_ms: Some(1000),
            },
        )
    }

    fn seeded(c: &mut Cloud, vm: &str, task: Option<&str>) -> ServerId {
        c.insert(NewServer {
            vm_state: Some(vm.into()),
            task_state: task.map(TaskState::from),
            ..Default::default()
        })
    }

    fn pair(c: &mut Cloud, id: &ServerId) -> (Option<String>, Option<String>) {
        let s = c.get(id).unwrap();
        (
            s.vm_state.as_ref().map(|v| v.as_str().to_owned()),
            s.task_state.as_ref().map(|t| t.as_str().to_owned()),
        )
    }

    /// Advances the clock by each step's milliseconds (0: not at all), then checks the
    /// server's (vm_state, task_state).
    fn walk(c: &mut Cloud, id: &ServerId, steps: &[(u64, &str, Option<&str>)]) {
        for (i, &(ms, vm, task)) in steps.iter().enumerate() {
            if ms > 0 {
                c.advance_clock(ms).unwrap();
            }
            let want = (Some(vm.to_owned()), task.map(str::to_owned));
            assert_eq!(pair(c, id), want, "step {i}");
        }
    }

    #[test]
    fn hard_reboot_walks_three_tasks_then_settles_active() {
        let mut c = cloud();
        let id = seeded(&mut c, "stopped", None);
        c.act(&id, &Action::Reboot { hard: true }, false).unwrap();
        let steps = [
            (0, "stopped", Some("rebooting_hard")),
            (100, "stopped", Some("reboot_pending_hard")),
            (100, "stopped", Some("reboot_started_hard")),
            (100, "active", None),
        ];
        walk(&mut c, &id, &steps);
        assert_eq!(c.get(&id).unwrap().power_state, Some(1));
    }

    #[test]
    fn soft_reboot_of_a_stopped_server_is_refused_with_novas_message() {
        let mut c = cloud();
        let id = seeded(&mut c, "stopped", None);
        let err = c
            .act(&id, &Action::Reboot { hard: false }, false)
            .unwrap_err();
        assert_eq!(
            err.nova_message(),
            format!("Cannot 'reboot' instance {id} while it is in vm_state stopped")
        );
    }

    #[test]
    fn a_busy_task_state_refuses_pause() {
        let mut c = cloud();
        let id = seeded(&mut c, "active", Some("rebooting"));
        let err = c.act(&id, &Action::Pause, false).unwrap_err();
        assert_eq!(
            err.nova_message(),
            format!("Cannot 'pause' instance {id} while it is in task_state rebooting")
        );
    }

    #[test]
    fn a_locked_server_refuses_its_owner_but_not_an_admin() {
        let mut c = cloud();
        let id = c.insert(NewServer {
            vm_state: Some(VmState::Active),
            locked: true,
            ..Default::default()
        });
        assert_eq!(
            c.act(&id, &Action::Stop, false).unwrap_err().nova_message(),
            format!("Instance {id} is locked")
        );
        assert_eq!(c.act(&id, &Action::Stop, true), Ok(true));
    }

    #[test]
    fn soft_delete_is_reclaimed_after_the_interval() {
        let mut c = cloud();
        let id = seeded(&mut c, "active", None);
        c.act(&id, &Action::Delete { soft: true }, false).unwrap();
        walk(&mut c, &id, &[(100, "soft-delete", None)]);
        c.advance_clock(999).unwrap();
        assert!(c.get(&id).is_some());
        c.advance_clock(1).unwrap();
        assert!(c.get(&id).is_none());
    }

    #[test]
    fn restore_brings_a_soft_deleted_server_back() {
        let mut c = cloud();
        let id = seeded(&mut c, "soft-delete", None);
        c.act(&id, &Action::Restore, false).unwrap();
        let steps = [(0, "soft-delete", Some("restoring")), (100, "active", None)];
        walk(&mut c, &id, &steps);
    }

    #[test]
    fn resize_then_revert_returns_to_stopped() {
        let mut c = cloud();
        let id = seeded(&mut c, "stopped", None);
        c.act(
            &id,
            &Action::Resize {
                flavor_id: "2".into(),
            },
            false,
        )
        .unwrap();
        walk(&mut c, &id, &[(400, "resized", None)]);
        c.act(&id, &Action::RevertResize, false).unwrap();
        walk(&mut c, &id, &[(100, "stopped", None)]);
    }

    #[test]
    fn create_walks_building_to_active() {
        let mut c = cloud();
        let id = c.create(NewServer::default());
        let steps = [(0, "building", Some("scheduling")), (400, "active", None)];
        walk(&mut c, &id, &steps);
    }

    #[test]
    fn generated_ids_are_uuid_shaped_and_distinct() {
        let mut g = IdGenerator { state: 1 };
        let a = g.next_uuid();
        let b = g.next_uuid();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
    }
}
