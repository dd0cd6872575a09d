package memory

// DB is the memory store of one host: a store for every domain package,
// all writing to one audit log. Its accessors match postgres.DB, so a host
// switches adapters by changing one line. The zero value is not usable;
// call New.
type DB struct {
	log      *AuditLog
	routing  *RoutingStore
	booking  *BookingStore
	callback *CallbackStore
	session  *SessionStore
	guidance *GuidanceStore
	demand   *DemandStore
}

// New returns an empty DB.
func New() *DB {
	log := NewAuditLog()
	return &DB{
		log:      log,
		routing:  NewRoutingStore(log),
		booking:  NewBookingStore(log),
		callback: NewCallbackStore(log),
		session:  NewSessionStore(log),
		guidance: NewGuidanceStore(log),
		demand:   NewDemandStore(log),
	}
}

// AuditLog returns the audit log every store of db writes to.
func (db *DB) AuditLog() *AuditLog { return db.log }

// RoutingStore returns db's routing.Store.
func (db *DB) RoutingStore() *RoutingStore { return db.routing }

// BookingStore returns db's booking.Store.
func (db *DB) BookingStore() *BookingStore { return db.booking }

// CallbackStore returns db's callback.Store.
func (db *DB) CallbackStore() *CallbackStore { return db.callback }

// SessionStore returns db's session.Store.
func (db *DB) SessionStore() *SessionStore { return db.session }

// GuidanceStore returns db's guidance.Store.
func (db *DB) GuidanceStore() *GuidanceStore { return db.guidance }

// DemandStore returns db's demand.Store.
func (db *DB) DemandStore() *DemandStore { return db.demand }

// Share returns another DB over the same state and audit log, as a second
// host replica over one database would see it. storagetest races such
// values against each other.
func (db *DB) Share() *DB {
	return &DB{
		log:      db.log,
		routing:  db.routing,
		booking:  db.booking.Share(),
		callback: db.callback.Share(),
		session:  db.session.Share(),
		guidance: db.guidance,
		demand:   db.demand.Share(),
	}
}
